"""One example call per client method of a spec operation, keyed ``domain.method``.

Each example is a plain call on a client (``WATS`` or ``AsyncWATS``); the spec walk runs
it, records what goes on the wire and checks that against the specification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pywats import AssetRef, SerialNumberQuery, StepFilters, TicketStatus
from pywats.internal import (
    MiMiscInfo,
    MiStep,
    ProductCategory,
    ProductRevisionRelation,
    SerialNumberRange,
    SoftwareEntity,
    TestSequenceDefinition,
    TestSequenceRelation,
    UnitFlowUnit,
)
from pywats.models import (
    Asset,
    AssetType,
    BarcodeIdentifier,
    ClientDto,
    Package,
    Product,
    ProductionBatch,
    ProductRevision,
    PublicWatsFilter,
    Ticket,
    Unit,
    Vendor,
)

RID = "3c1f5a52-6b1e-4f7e-9d0a-2f8e2a6f1c11"
UID = "7a0e8f5e-1111-4c2d-8e9f-0a1b2c3d4e5f"
TYPE_ID = "fc48e41d-6276-4bf0-83f2-fa8af9aab91a"
FILTER = PublicWatsFilter(part_number="PN-1", date_from=None, top_count=10)
STEPS = StepFilters(steps="<filters/>", sequences="<filters/>")

WSJF = {
    "id": RID,
    "type": "T",
    "pn": "PN-1",
    "sn": "SN-1",
    "rev": "A",
    "processCode": 10,
    "result": "P",
    "machineName": "st1",
    "location": "lab",
    "purpose": "dev",
    "start": "2026-01-01T10:00:00+01:00",
}
WSXF = (
    '<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf"><Report type="UUT" '
    f'ID="{RID}" Start="2026-01-01T10:00:00+01:00" Start_utc="2026-01-01T09:00:00Z" '
    'Result="Passed" SN="SN-1" PN="PN-1" Rev="A" MachineName="st1" Location="lab" '
    'Purpose="dev"><Process Code="10"/></Report></Reports>'
).encode()

Example = Callable[[Any], Any]

EXAMPLES: dict[str, Example] = {
    # App
    "app.version": lambda w: w.app.version(),
    "app.processes": lambda w: w.app.processes(include_test_operations=True),
    "app.levels": lambda w: w.app.levels(),
    "app.product_groups": lambda w: w.app.product_groups(include_filters=True),
    "app.common_user_settings": lambda w: w.app.common_user_settings("ann"),
    # Analytics
    "analytics.uut_reports": lambda w: w.analytics.uut_reports(FILTER),
    "analytics.uut_reports_recent": lambda w: w.analytics.uut_reports_recent(
        serial_number="SN-1", part_number="PN-1", status="Passed"
    ),
    "analytics.uur_reports": lambda w: w.analytics.uur_reports(FILTER),
    "analytics.dynamic_yield": lambda w: w.analytics.dynamic_yield(
        FILTER, dimensions="partNumber;period"
    ),
    "analytics.dynamic_repair": lambda w: w.analytics.dynamic_repair(None, dimensions="x"),
    "analytics.volume_yield": lambda w: w.analytics.volume_yield(FILTER),
    "analytics.volume_yield_recent": lambda w: w.analytics.volume_yield_recent(
        7, product_group_id="g", level_id="l"
    ),
    "analytics.worst_yield": lambda w: w.analytics.worst_yield(),
    "analytics.worst_yield_recent": lambda w: w.analytics.worst_yield_recent(
        7, product_group_id="g", level_id="l"
    ),
    "analytics.worst_yield_by_product_group": lambda w: w.analytics.worst_yield_by_product_group(
        FILTER
    ),
    "analytics.high_volume": lambda w: w.analytics.high_volume(FILTER),
    "analytics.high_volume_recent": lambda w: w.analytics.high_volume_recent(
        7, product_group_id="g", level_id="l"
    ),
    "analytics.high_volume_by_product_group": lambda w: w.analytics.high_volume_by_product_group(
        FILTER
    ),
    "analytics.top_failed": lambda w: w.analytics.top_failed(FILTER),
    "analytics.top_failed_recent": lambda w: w.analytics.top_failed_recent(
        "PN-1", "10", days=7, count=5, product_group_id="g", level_id="l"
    ),
    "analytics.test_step_analysis": lambda w: w.analytics.test_step_analysis(FILTER),
    "analytics.measurements": lambda w: w.analytics.measurements(
        FILTER, measurement_paths=["Main/Step 1", "Main/Step 2"]
    ),
    "analytics.aggregated_measurements": lambda w: w.analytics.aggregated_measurements(
        FILTER, measurement_paths="Main/Step 1"
    ),
    "analytics.oee_analysis": lambda w: w.analytics.oee_analysis("8", FILTER, target_output=100),
    "analytics.serial_number_history": lambda w: w.analytics.serial_number_history(
        PublicWatsFilter(serial_number="SN-1")
    ),
    "analytics.related_repair_history": lambda w: w.analytics.related_repair_history(
        "PN-1", "A", repair_operation_code="500"
    ),
    # Asset
    "asset.query": lambda w: w.asset.query("state eq 1", order_by="serialNumber"),
    "asset.get": lambda w: w.asset.get("A-1"),
    "asset.get_by_serial_number": lambda w: w.asset.get_by_serial_number("FX-1"),
    "asset.save": lambda w: w.asset.save(Asset(serial_number="FX-1", type_id=TYPE_ID)),
    "asset.delete": lambda w: w.asset.delete(AssetRef.by_serial("FX-1")),
    "asset.set_count": lambda w: w.asset.set_count(AssetRef.by_serial("FX-1"), increment_by=1),
    "asset.reset_running_count": lambda w: w.asset.reset_running_count(
        AssetRef.by_id("A-1"), comment="new probes"
    ),
    "asset.record_calibration": lambda w: w.asset.record_calibration(
        AssetRef.by_serial("FX-1"), when="2026-01-01T00:00:00Z"
    ),
    "asset.record_maintenance": lambda w: w.asset.record_maintenance(AssetRef.by_id("A-1")),
    "asset.set_state": lambda w: w.asset.set_state(AssetRef.by_serial("FX-1"), 2),
    "asset.status": lambda w: w.asset.status(AssetRef.by_serial("FX-1"), translate=True),
    "asset.sub_assets": lambda w: w.asset.sub_assets(AssetRef.by_id("A-1"), level=2),
    "asset.log": lambda w: w.asset.log("type eq 2"),
    "asset.post_message": lambda w: w.asset.post_message(AssetRef.by_serial("FX-1"), "checked"),
    "asset.types": lambda w: w.asset.types(),
    "asset.save_type": lambda w: w.asset.save_type(
        AssetType(type_name="Fixture", calibration_interval=30.0)
    ),
    # Auth
    "auth.get_token": lambda w: w.auth.get_token(reset=False),
    "auth.get_token_for": lambda w: w.auth.get_token_for("4C5F70D62FF4"),
    # Barcode identifiers
    "barcode.identifiers": lambda w: w.barcode.identifiers(),
    "barcode.save_identifier": lambda w: w.barcode.save_identifier(
        BarcodeIdentifier(pattern="^SN")
    ),
    "barcode.delete_identifier": lambda w: w.barcode.delete_identifier(3),
    "barcode.identify": lambda w: w.barcode.identify("SN-1;PN-1"),
    # Export
    "export.queue_certificates": lambda w: w.export.queue_certificates(
        FILTER, header_data_only=True, email="qa@example.com"
    ),
    "export.exports": lambda w: w.export.exports(),
    "export.download": lambda w: w.export.download("certificates 1.zip"),
    # Product
    "product.get": lambda w: w.product.get("PN/1 A"),
    "product.get_revision": lambda w: w.product.get_revision("PN-1", "A"),
    "product.query": lambda w: w.product.query("category eq 'PCB'"),
    "product.save": lambda w: w.product.save(Product(part_number="PN-1", name="Board")),
    "product.save_revision": lambda w: w.product.save_revision(
        ProductRevision(part_number="PN-1", revision="A")
    ),
    "product.save_many": lambda w: w.product.save_many([Product(part_number="PN-1")]),
    "product.save_revisions": lambda w: w.product.save_revisions(
        [{"partNumber": "PN-1", "revision": "B"}]
    ),
    "product.put_bom": lambda w: w.product.put_bom(
        '<BOM xmlns="http://wats.virinco.com/schemas/WATS/wsbf" Partnumber="PN-1" '
        'Revision="A"><Component Number="C-1" Rev="1" Qty="2"/></BOM>'
    ),
    "product.vendors": lambda w: w.product.vendors(),
    "product.save_vendors": lambda w: w.product.save_vendors([Vendor(vendor_name="Acme")]),
    "product.delete_vendors": lambda w: w.product.delete_vendors([{"VendorName": "Acme"}]),
    "product.add_to_product_group": lambda w: w.product.add_to_product_group(
        "Boards", "PN-1", revision="A"
    ),
    "product.product_groups": lambda w: w.product.product_groups("PN-1"),
    # Production
    "production.unit": lambda w: w.production.unit("SN 1", "PN-1"),
    "production.save_units": lambda w: w.production.save_units(
        [Unit(serial_number="SN-1", part_number="PN-1", revision="A")]
    ),
    "production.save_batches": lambda w: w.production.save_batches(
        [ProductionBatch(batch_number="B-1", batch_size=10)]
    ),
    "production.set_unit_phase": lambda w: w.production.set_unit_phase("SN-1", "PN-1", 2),
    "production.set_unit_process": lambda w: w.production.set_unit_process(
        "SN-1", "PN-1", "SW Debug"
    ),
    "production.add_child_unit": lambda w: w.production.add_child_unit(
        "SN-P", "PN-P", "SN-C", "PN-C", check_part_number="true", check_revision="false"
    ),
    "production.remove_child_unit": lambda w: w.production.remove_child_unit(
        "SN-P", "PN-P", "SN-C", "PN-C"
    ),
    "production.check_child_units": lambda w: w.production.check_child_units("SN-P", "PN-P"),
    "production.verify_unit": lambda w: w.production.verify_unit("SN-1", part_number="PN-1"),
    "production.unit_changes": lambda w: w.production.unit_changes(50),
    "production.acknowledge_unit_change": lambda w: w.production.acknowledge_unit_change(9),
    "production.serial_number_types": lambda w: w.production.serial_number_types(),
    "production.take_serial_numbers": lambda w: w.production.take_serial_numbers(
        "MAC", 2, station_name="st1", format="csv"
    ),
    "production.export_serial_numbers": lambda w: w.production.export_serial_numbers(
        "MAC", "xml", start_address="000000000001"
    ),
    "production.upload_serial_numbers": lambda w: w.production.upload_serial_numbers(
        "MAC", "csv", b"000000000001\n"
    ),
    "production.serial_numbers_by_range": lambda w: w.production.serial_numbers_by_range(
        SerialNumberQuery("MAC", "000000000001", "000000000009")
    ),
    "production.serial_numbers_by_reference": lambda w: w.production.serial_numbers_by_reference(
        "MAC", ref_sn="SN-1", ref_pn="PN-1"
    ),
    # Report
    "report.submit_wsjf": lambda w: w.report.submit_wsjf(WSJF),
    "report.submit_wsxf": lambda w: w.report.submit_wsxf(WSXF, report_id=RID),
    "report.get_wsjf": lambda w: w.report.get_wsjf(RID, detail_level=0),
    "report.get_wsxf": lambda w: w.report.get_wsxf(RID, include_indexes=False),
    "report.query_headers": lambda w: w.report.query_headers("serialNumber eq 'SN-1'"),
    "report.query_by_misc_info": lambda w: w.report.query_by_misc_info(
        description="Firmware", data="1.2"
    ),
    "report.get_attachment": lambda w: w.report.get_attachment(RID, step_id=4),
    "report.get_attachments_zip": lambda w: w.report.get_attachments_zip(RID),
    "report.get_certificate": lambda w: w.report.get_certificate(RID),
    # RootCause
    "rootcause.ticket": lambda w: w.rootcause.ticket(UID),
    "rootcause.create_ticket": lambda w: w.rootcause.create_ticket(
        Ticket(subject="Probe wear", report_uuid=RID)
    ),
    "rootcause.update_ticket": lambda w: w.rootcause.update_ticket(Ticket(ticket_id=UID, status=8)),
    "rootcause.tickets": lambda w: w.rootcause.tickets(
        TicketStatus.OPEN | TicketStatus.IN_PROGRESS, 2, search="probe"
    ),
    "rootcause.archive_tickets": lambda w: w.rootcause.archive_tickets([UID]),
    "rootcause.attachment": lambda w: w.rootcause.attachment(UID, file_name="a.png"),
    "rootcause.upload_attachment": lambda w: w.rootcause.upload_attachment(
        b"\x89PNG", "a.png", content_type="image/png"
    ),
    # SCIM
    "scim.users": lambda w: w.scim.users('userName eq "ann"'),
    "scim.user": lambda w: w.scim.user("u-1"),
    "scim.user_by_name": lambda w: w.scim.user_by_name("ann"),
    "scim.create_user": lambda w: w.scim.create_user({"userName": "ann", "active": True}),
    "scim.update_user": lambda w: w.scim.update_user("u-1", {"active": False}),
    "scim.delete_user": lambda w: w.scim.delete_user("u-1"),
    "scim.token": lambda w: w.scim.token(duration=30),
    # Software
    "software.create_package": lambda w: w.software.create_package(Package(name="Fw")),
    "software.package": lambda w: w.software.package(UID),
    "software.update_package": lambda w: w.software.update_package(
        UID, Package(name="Fw", description="firmware")
    ),
    "software.delete_package": lambda w: w.software.delete_package(UID),
    "software.package_by_name": lambda w: w.software.package_by_name("Fw", "released"),
    "software.delete_package_by_name": lambda w: w.software.delete_package_by_name("Fw", 2),
    "software.packages": lambda w: w.software.packages(),
    "software.packages_by_tag": lambda w: w.software.packages_by_tag("site=A", "Released"),
    "software.package_files": lambda w: w.software.package_files(UID),
    "software.virtual_folders": lambda w: w.software.virtual_folders(),
    "software.set_package_status": lambda w: w.software.set_package_status(UID, "Pending"),
    "software.upload_zip": lambda w: w.software.upload_zip(UID, b"PK\x03\x04", clean_install=True),
    "software.set_file_attribute": lambda w: w.software.set_file_attribute(UID, "ExecuteOnce"),
    # System
    "system.client": lambda w: w.system.client(identifier="4C5F70D62FF4"),
    "system.update_client": lambda w: w.system.update_client(
        ClientDto(client_id=4), move_with_history=True
    ),
    "system.clients": lambda w: w.system.clients(),
    "system.client_log": lambda w: w.system.client_log("4C5F70D62FF4"),
    "system.level_id": lambda w: w.system.level_id(["Norway", "Line 1"]),
    "system.create_levels": lambda w: w.system.create_levels(["Norway", "Line 2"]),
    "system.status": lambda w: w.system.status(),
    # Internal: Process
    "internal.process.processes": lambda w: w.internal.process.processes(),
    "internal.process.process": lambda w: w.internal.process.process(UID),
    "internal.process.repair_operations": lambda w: w.internal.process.repair_operations(),
    "internal.process.repair_operation": lambda w: w.internal.process.repair_operation(
        UID, process_code=10
    ),
    # Internal: Production and Mes
    "internal.production.unit_phases": lambda w: w.internal.production.unit_phases(),
    "internal.production.is_connected": lambda w: w.internal.production.is_connected(),
    "internal.production.sites": lambda w: w.internal.production.sites(),
    "internal.production.unit": lambda w: w.internal.production.unit("SN-1", "PN-1"),
    "internal.production.unit_info": lambda w: w.internal.production.unit_info("SN-1", "PN-1"),
    "internal.production.unit_hierarchy": lambda w: w.internal.production.unit_hierarchy(
        "SN-1", "PN-1"
    ),
    "internal.production.unit_state_history": lambda w: w.internal.production.unit_state_history(
        "SN-1", "PN-1"
    ),
    "internal.production.unit_phase": lambda w: w.internal.production.unit_phase("SN-1", "PN-1"),
    "internal.production.unit_process": lambda w: w.internal.production.unit_process(
        "SN-1", "PN-1"
    ),
    "internal.production.unit_contents": lambda w: w.internal.production.unit_contents(
        "SN-1", "PN-1", "A"
    ),
    "internal.production.create_unit": lambda w: w.internal.production.create_unit(
        "SN-1", "PN-1", "A", batch_number="B-1", unit_phase=1
    ),
    "internal.production.add_child_unit": lambda w: w.internal.production.add_child_unit(
        "SN-1", "PN-1", "SN-2", "PN-2", check_phase=True
    ),
    "internal.production.remove_child_unit": lambda w: w.internal.production.remove_child_unit(
        "SN-1", "PN-1", "SN-2", "PN-2"
    ),
    "internal.production.remove_all_child_units": lambda w: (
        w.internal.production.remove_all_child_units("SN-1", "PN-1", culture_code="en-US")
    ),
    "internal.production.check_child_units": lambda w: w.internal.production.check_child_units(
        "SN-1", "PN-1"
    ),
    "internal.production.serial_numbers": lambda w: w.internal.production.serial_numbers(
        SerialNumberQuery("MAC", "000000000001", "0000000000FF", start_date="2026-01-01")
    ),
    "internal.production.serial_number_count": lambda w: w.internal.production.serial_number_count(
        "MAC", start_address="000000000001"
    ),
    "internal.production.free_serial_numbers": lambda w: w.internal.production.free_serial_numbers(
        [SerialNumberRange(type="MAC", start_address="1", end_address="9")]
    ),
    "internal.production.delete_free_serial_numbers": lambda w: (
        w.internal.production.delete_free_serial_numbers(
            [{"type": "MAC", "startAddress": "1", "endAddress": "9"}]
        )
    ),
    "internal.production.serial_number_ranges": lambda w: (
        w.internal.production.serial_number_ranges("MAC")
    ),
    "internal.production.serial_number_statistics": lambda w: (
        w.internal.production.serial_number_statistics("MAC")
    ),
    # Internal: Product
    "internal.product.bom": lambda w: w.internal.product.bom("PN-1", "A"),
    "internal.product.save_bom": lambda w: w.internal.product.save_bom(
        "PN-1", "A", [{"partNumber": "R1", "quantity": 2}]
    ),
    "internal.product.product_info": lambda w: w.internal.product.product_info("PN-1", "A"),
    "internal.product.product_by_part_number": lambda w: w.internal.product.product_by_part_number(
        "PN-1"
    ),
    "internal.product.create_revision_relation": lambda w: (
        w.internal.product.create_revision_relation(
            ProductRevisionRelation(parent_product_revision_id=UID, product_revision_id=RID)
        )
    ),
    "internal.product.update_revision_relation": lambda w: (
        w.internal.product.update_revision_relation(
            ProductRevisionRelation(product_revision_relation_id=UID, quantity=3)
        )
    ),
    "internal.product.delete_revision_relation": lambda w: (
        w.internal.product.delete_revision_relation(UID)
    ),
    "internal.product.categories": lambda w: w.internal.product.categories(),
    "internal.product.save_categories": lambda w: w.internal.product.save_categories(
        [ProductCategory(name="PCBA")]
    ),
    # Internal: Software
    "internal.software.is_connected": lambda w: w.internal.software.is_connected(),
    "internal.software.file": lambda w: w.internal.software.file(UID),
    "internal.software.check_file": lambda w: w.internal.software.check_file(
        UID, RID, "bin/fw.hex", "abc123", 1767225600
    ),
    "internal.software.create_package_folder": lambda w: w.internal.software.create_package_folder(
        UID, SoftwareEntity(name="bin")
    ),
    "internal.software.update_package_folder": lambda w: w.internal.software.update_package_folder(
        {"id": UID, "name": "lib"}
    ),
    "internal.software.delete_package_folder": lambda w: w.internal.software.delete_package_folder(
        UID
    ),
    "internal.software.delete_package_folder_files": lambda w: (
        w.internal.software.delete_package_folder_files([UID, RID])
    ),
    "internal.software.package_history": lambda w: w.internal.software.package_history(
        "site=A", status=2, all_versions=True
    ),
    "internal.software.download_history": lambda w: w.internal.software.download_history(4),
    "internal.software.revoked_packages": lambda w: w.internal.software.revoked_packages(
        [UID], include_revoked_only=True
    ),
    "internal.software.available_packages": lambda w: w.internal.software.available_packages([UID]),
    "internal.software.package_details": lambda w: w.internal.software.package_details(UID),
    "internal.software.log_download": lambda w: w.internal.software.log_download(UID, 1024),
    # Internal: ManualInspection
    "internal.manual_inspection.definitions": lambda w: w.internal.manual_inspection.definitions(
        is_global=True
    ),
    "internal.manual_inspection.definition": lambda w: w.internal.manual_inspection.definition(UID),
    "internal.manual_inspection.definition_copy": lambda w: (
        w.internal.manual_inspection.definition_copy(UID)
    ),
    "internal.manual_inspection.instances_count": lambda w: (
        w.internal.manual_inspection.instances_count(UID)
    ),
    "internal.manual_inspection.create_definition": lambda w: (
        w.internal.manual_inspection.create_definition(
            TestSequenceDefinition(name="Visual"), create_default_xaml=True
        )
    ),
    "internal.manual_inspection.update_definition": lambda w: (
        w.internal.manual_inspection.update_definition({"id": UID, "name": "Visual 2"})
    ),
    "internal.manual_inspection.relations": lambda w: w.internal.manual_inspection.relations(UID),
    "internal.manual_inspection.relation_conflicts": lambda w: (
        w.internal.manual_inspection.relation_conflicts(UID)
    ),
    "internal.manual_inspection.relation_conflicts_new": lambda w: (
        w.internal.manual_inspection.relation_conflicts_new(UID)
    ),
    "internal.manual_inspection.create_relation": lambda w: (
        w.internal.manual_inspection.create_relation(
            TestSequenceRelation(test_sequence_definition_id=UID, entity_value="PN-1")
        )
    ),
    "internal.manual_inspection.update_relation": lambda w: (
        w.internal.manual_inspection.update_relation(
            TestSequenceRelation(test_sequence_relation_id=RID, status=1)
        )
    ),
    "internal.manual_inspection.delete_relations": lambda w: (
        w.internal.manual_inspection.delete_relations([RID])
    ),
    "internal.manual_inspection.sequences": lambda w: w.internal.manual_inspection.sequences(
        "SN-1", "PN-1", "A", "B-1", station_name="st1"
    ),
    "internal.manual_inspection.save_sequence": lambda w: (
        w.internal.manual_inspection.save_sequence([MiStep(id=1, name="Look")], submit=True)
    ),
    "internal.manual_inspection.details": lambda w: w.internal.manual_inspection.details(UID),
    "internal.manual_inspection.details_new": lambda w: w.internal.manual_inspection.details_new(
        UID
    ),
    "internal.manual_inspection.xaml": lambda w: w.internal.manual_inspection.xaml(UID),
    "internal.manual_inspection.save_xaml": lambda w: w.internal.manual_inspection.save_xaml(
        UID, "<Activity/>", username="ola"
    ),
    "internal.manual_inspection.wwf_content": lambda w: w.internal.manual_inspection.wwf_content(
        UID
    ),
    "internal.manual_inspection.validate_misc_info": lambda w: (
        w.internal.manual_inspection.validate_misc_info(MiMiscInfo(name="Lot", value="L-1"))
    ),
    "internal.manual_inspection.save_string_test": lambda w: (
        w.internal.manual_inspection.save_string_test(MiStep(id=2, comment="ok"))
    ),
    # Internal: UnitFlow
    "internal.unit_flow.query": lambda w: w.internal.unit_flow.query(FILTER),
    "internal.unit_flow.nodes": lambda w: w.internal.unit_flow.nodes(FILTER),
    "internal.unit_flow.links": lambda w: w.internal.unit_flow.links("{}"),
    "internal.unit_flow.units": lambda w: w.internal.unit_flow.units({"partNumber": "PN-1"}),
    "internal.unit_flow.serial_numbers": lambda w: w.internal.unit_flow.serial_numbers([1, 2]),
    "internal.unit_flow.split_by": lambda w: w.internal.unit_flow.split_by("stationName"),
    "internal.unit_flow.unit_order": lambda w: w.internal.unit_flow.unit_order(
        [UnitFlowUnit(unit_id=1, source=0, target=1)]
    ),
    # Internal: App and Trigger
    "internal.analytics.measurement_list": lambda w: w.internal.analytics.measurement_list(
        7, STEPS, product_group_id=UID, level_id=RID
    ),
    "internal.analytics.measurement_list_by_filter": lambda w: (
        w.internal.analytics.measurement_list_by_filter(FILTER, STEPS)
    ),
    "internal.analytics.step_status_list": lambda w: w.internal.analytics.step_status_list(
        7, STEPS, product_group_id=UID, level_id=RID
    ),
    "internal.analytics.step_status_list_by_filter": lambda w: (
        w.internal.analytics.step_status_list_by_filter(FILTER, STEPS)
    ),
    "internal.analytics.top_failed": lambda w: w.internal.analytics.top_failed(
        "PN-1", "10", UID, RID, 7, count=5
    ),
    "internal.analytics.top_failed_by_filter": lambda w: w.internal.analytics.top_failed_by_filter(
        FILTER
    ),
    "internal.analytics.alarm_logs": lambda w: w.internal.analytics.alarm_logs(
        FILTER, include_calculation_string=True
    ),
    # Internal: Blob
    "internal.asset.upload_file": lambda w: w.internal.asset.upload_file(
        UID, "cal.pdf", b"%PDF-1.4"
    ),
    "internal.asset.download_file": lambda w: w.internal.asset.download_file(UID, "cal.pdf"),
    "internal.asset.delete_files": lambda w: w.internal.asset.delete_files(UID, ["cal.pdf"]),
    # Workflow
    "workflow.start_test": lambda w: w.workflow.start_test("SN-1", "PN-1", station_name="st1"),
    "workflow.end_test": lambda w: w.workflow.end_test("SN-1", "PN-1", passed=True),
}
