"""``wats.internal.product``: a revision's BOM as JSON, product info, the relations that
make a box build, and product categories.

**Internal** (``/api/internal/Product/...``): the vendor may change these routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue, dump, dump_list, parse_list
from pywats.internal import ProductCategory, ProductRevisionRelation

__all__ = ["AsyncInternalProduct"]


def _relations(body: Any, key: str) -> list[ProductRevisionRelation]:
    # olreppe/pyWATS saw the server answer either the one relation or the parent's list.
    return parse_list(ProductRevisionRelation, [body] if isinstance(body, dict) else body, key)


class AsyncInternalProduct:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Product_InternalGetBom)
    async def bom(self, part_number: str, revision: str) -> list[JsonValue]:
        """The bill of materials of a revision as JSON items. INTERNAL: may change."""
        body = await self._api.json(
            ops.Product_InternalGetBom, params={"partNumber": part_number, "revision": revision}
        )
        return list(body or [])

    @operation(ops.Product_InternalPutBom)
    async def save_bom(
        self,
        part_number: str,
        revision: str,
        items: Iterable[Mapping[str, Any]],
        *,
        format: str = "json",  # the route's own word
    ) -> JsonValue:
        """Replace a revision's BOM with these items. INTERNAL: may change without notice.

        The public ``wats.product.save_bom`` takes the same BOM as a WSBF XML document."""
        return await self._api.action(
            ops.Product_InternalPutBom,
            params={"partNumber": part_number, "revision": revision, "format": format},
            json=[dict(item) for item in items],
        )

    @operation(ops.Product_GetProductInfo)
    async def product_info(self, part_number: str, revision: str) -> JsonValue:
        """A product revision with its settings as the web UI shows them. INTERNAL."""
        return await self._api.json(
            ops.Product_GetProductInfo, params={"partNumber": part_number, "revision": revision}
        )

    @operation(ops.Product_GetProductByPN)
    async def product_by_part_number(self, part_number: str) -> JsonValue:
        """A product with its revisions, by part number. INTERNAL: may change."""
        return await self._api.json(ops.Product_GetProductByPN, params={"PN": part_number})

    @operation(ops.Product_PostProductRevisionRelation)
    async def create_revision_relation(
        self, relation: ProductRevisionRelation | Mapping[str, Any]
    ) -> list[ProductRevisionRelation]:
        """Add a child revision to a parent revision (box build); the parent's relations
        come back. INTERNAL: may change without notice."""
        op = ops.Product_PostProductRevisionRelation
        return _relations(await self._api.json(op, json=dump(relation)), op.key)

    @operation(ops.Product_PutProductRevisionRelation)
    async def update_revision_relation(
        self, relation: ProductRevisionRelation | Mapping[str, Any]
    ) -> list[ProductRevisionRelation]:
        """Change a relation's quantity, item number or revision mask. INTERNAL."""
        op = ops.Product_PutProductRevisionRelation
        return _relations(await self._api.json(op, json=dump(relation)), op.key)

    @operation(ops.Product_DeleteProductRevisionRelation)
    async def delete_revision_relation(self, relation_id: str) -> JsonValue:
        """Remove a child revision from its parent. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Product_DeleteProductRevisionRelation,
            params={"productRevisionRelationId": relation_id},
        )

    @operation(ops.Product_GetProductCategories)
    async def categories(self) -> list[ProductCategory]:
        """The product categories. INTERNAL: may change without notice."""
        return await self._api.model_list(ops.Product_GetProductCategories, ProductCategory)

    @operation(ops.Product_PutProductCategories)
    async def save_categories(
        self, categories: Iterable[ProductCategory | Mapping[str, Any]]
    ) -> JsonValue:
        """Create or update product categories (no id = create). INTERNAL: may change."""
        return await self._api.action(ops.Product_PutProductCategories, json=dump_list(categories))
