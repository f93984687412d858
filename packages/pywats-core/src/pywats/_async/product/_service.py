"""The Product domain: products and revisions, bulk loads, BOMs, vendors, product groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._async._paging import AsyncPagedIterator
from pywats._odata import Filter
from pywats._operation import operation
from pywats._payload import JsonValue, dump, dump_list
from pywats.models import Product, ProductRevision, ProductView, Vendor

__all__ = ["AsyncProductService"]


class AsyncProductService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Product_PublicGetProduct)
    async def get(self, part_number: str) -> Product | None:
        """The product with this part number (NotFoundError when there is none)."""
        return await self._api.found(
            ops.Product_PublicGetProduct, Product, path={"partNumber": part_number}
        )

    @operation(ops.Product_PublicGetProductRevision)
    async def get_revision(self, part_number: str, revision: str) -> ProductRevision | None:
        """One revision of a product."""
        return await self._api.found(
            ops.Product_PublicGetProductRevision,
            ProductRevision,
            path={"partNumber": part_number, "revision": revision},
        )

    @operation(ops.Product_PublicGetProducts)
    def query(
        self,
        filter: Filter | str | None = None,  # OData's own word
        *,
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[ProductView]:
        """Products matching an OData filter (e.g. ``Filter.eq("category", "PCB")``),
        fetched page by page as you iterate."""
        return self._api.odata_query(
            ops.Product_PublicGetProducts,
            ProductView,
            filter,
            page_size=page_size,
            max_items=max_items,
        )

    @operation(ops.Product_PublicPutProduct)
    async def save(self, product: Product | Mapping[str, Any]) -> Product:
        """Create (no ``product_id``) or update a product; the server's copy comes back."""
        return await self._api.model(ops.Product_PublicPutProduct, Product, json=dump(product))

    @operation(ops.Product_PublicPutProductRevision)
    async def save_revision(self, revision: ProductRevision | Mapping[str, Any]) -> ProductRevision:
        """Create (no ``product_revision_id``) or update a revision of a product."""
        return await self._api.model(
            ops.Product_PublicPutProductRevision, ProductRevision, json=dump(revision)
        )

    @operation(ops.Product_PutProducts)
    async def save_many(self, products: Iterable[Product | Mapping[str, Any]]) -> JsonValue:
        """Create or update many products in one call (ERP bulk load)."""
        return await self._api.action(ops.Product_PutProducts, json=dump_list(products))

    @operation(ops.Product_PutProductRevisions)
    async def save_revisions(
        self, revisions: Iterable[ProductRevision | Mapping[str, Any]]
    ) -> JsonValue:
        """Create or update many revisions in one call (ERP bulk load)."""
        return await self._api.action(ops.Product_PutProductRevisions, json=dump_list(revisions))

    @operation(ops.Product_BOM)
    async def put_bom(self, wsbf: bytes | str) -> JsonValue:
        """Store a bill of materials given as a WSBF ``<BOM>`` document
        (``xmlns="http://wats.virinco.com/schemas/WATS/wsbf"``)."""
        content = wsbf.encode() if isinstance(wsbf, str) else wsbf
        return await self._api.action(ops.Product_BOM, content=content)

    @operation(ops.Product_Vendors)
    async def vendors(self) -> list[Vendor]:
        """Every vendor."""
        return await self._api.model_list(ops.Product_Vendors, Vendor)

    @operation(ops.Product_PutVendors)
    async def save_vendors(self, vendors: Iterable[Vendor | Mapping[str, Any]]) -> JsonValue:
        """Create or update vendors."""
        return await self._api.action(ops.Product_PutVendors, json=dump_list(vendors))

    @operation(ops.Product_DeleteVendors)
    async def delete_vendors(self, vendors: Iterable[Vendor | Mapping[str, Any]]) -> JsonValue:
        """Delete vendors."""
        return await self._api.action(ops.Product_DeleteVendors, json=dump_list(vendors))

    @operation(ops.Product_ProductGroupFilter)
    async def add_to_product_group(
        self,
        product_group: str,
        part_number: str,
        *,
        revision: str | None = None,
        exclude: bool | None = None,
    ) -> JsonValue:
        """Add a product (or one revision) to a product group's filter; ``exclude=True``
        adds it as an exclusion."""
        return await self._api.action(
            ops.Product_ProductGroupFilter,
            params={
                "productGroup": product_group,
                "partNumber": part_number,
                "revision": revision,
                "exclude": exclude,
            },
        )

    @operation(ops.Product_GetProductGroupsByProduct)
    async def product_groups(self, part_number: str, *, revision: str | None = None) -> JsonValue:
        """The product groups a product (or one revision) belongs to."""
        return await self._api.json(
            ops.Product_GetProductGroupsByProduct,
            params={"partNumber": part_number, "revision": revision},
        )
