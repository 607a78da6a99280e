"""The per-place comparison table as files a researcher opens: CSV for any tool, XLSX for Excel.

``search export --format csv|xlsx [--out FILE]`` and notebook 3 both write
:func:`search.app.compare.comparison_table` through here:

* CSV: UTF-8 with a byte-order mark (Excel reads UTF-8 only after one), lists joined with
  " | ", integers as integers (đồng, counts), empty cells where a report says nothing;
* XLSX (openpyxl): the same table on a first sheet with a bold frozen header, integers as numbers
  grouped by thousands, then a sheet describing every column (:data:`search.app.compare.COLUMNS`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import InputError
from .compare import COLUMNS, comparison_table

if TYPE_CHECKING:
    from .index import Index

__all__ = ["FORMATS", "csv_bytes", "xlsx_bytes", "export", "flatten"]

FORMATS = ("csv", "xlsx")
_SHEET = "so sánh"          # the table
_DOC_SHEET = "các cột"      # what each column holds


def flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Lists joined with " | " (no Python reprs in a cell); everything else kept."""
    return df.map(lambda v: " | ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as CSV bytes: UTF-8 with a BOM, lists joined, nullable integers as plain integers."""
    return ("\ufeff" + flatten(df).to_csv(index=False, lineterminator="\n")).encode("utf-8")


def xlsx_bytes(df: pd.DataFrame, docs: dict[str, str] | None = None) -> bytes:
    """``df`` as an XLSX workbook (bytes): the table, then a sheet describing its columns."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    docs = COLUMNS if docs is None else docs
    flat = flatten(df)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        flat.to_excel(writer, sheet_name=_SHEET, index=False)
        sheet = writer.sheets[_SHEET]
        sheet.freeze_panes = "B2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for i, col in enumerate(flat.columns, start=1):
            letter = get_column_letter(i)
            integer = pd.api.types.is_integer_dtype(flat[col].dtype)
            longest = max([len(str(col))] + [len(str(v)) for v in flat[col] if not _blank(v)])
            sheet.column_dimensions[letter].width = min(60, max(10, longest + 2))
            for cell in sheet[letter][1:]:
                if integer:
                    cell.number_format = "#,##0"
                else:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        described = pd.DataFrame({"column": list(flat.columns),
                                  "holds": [docs.get(c, "") for c in flat.columns]})
        described.to_excel(writer, sheet_name=_DOC_SHEET, index=False)
        doc_sheet = writer.sheets[_DOC_SHEET]
        doc_sheet.column_dimensions["A"].width = 28
        doc_sheet.column_dimensions["B"].width = 100
        for cell in doc_sheet[1]:
            cell.font = Font(bold=True)
    return buf.getvalue()


def _blank(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def export(idx: Index, fmt: str = "csv", out: str | os.PathLike | None = None) -> bytes:
    """The comparison table of ``idx`` in ``fmt`` ("csv" or "xlsx"); written to ``out`` when given
    (atomically: a temporary file beside it, then renamed). Returns the bytes."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    table = comparison_table(idx)
    payload = csv_bytes(table) if fmt == "csv" else xlsx_bytes(table)
    if out is not None:
        path = Path(out)
        if path.is_dir():
            raise InputError("the output is a folder; give a file name", path=str(path))
        if not path.parent.exists():
            raise InputError("the output's folder does not exist", path=str(path.parent))
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            tmp.write_bytes(payload)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"cannot write the export ({exc.strerror or exc})", path=str(path)) from None
    return payload
