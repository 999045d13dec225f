"""Moving data in and out: spreadsheet import, XLSX and report export, archive and restore.

The functions the API and console call are ``plan_import`` / ``apply_import``
(``ledger.transfer.importer``), ``export_xlsx`` (``ledger.transfer.xlsx_out``),
``progress_report`` (``ledger.transfer.report``), ``export_archive`` and
``restore_archive`` (``ledger.transfer.archive``).
"""
