"""``zip_files``: pack report files into one zip archive (a :class:`~doover.models.File`)."""

import io
import logging
import os
from typing import Any, Optional, Sequence, Union

from ..exceptions import InvalidArgumentError

__all__ = ["zip_files"]

log = logging.getLogger("doover.reports")


def zip_files(files: Union[Any, Sequence[Any]], name: Optional[str] = None) -> Any:
    """One deflate-compressed zip :class:`~doover.models.File` holding ``files`` (a File or a
    list of Files; ``(filename, data, content_type)`` tuples, as the platform SDK takes, work
    too), named ``name``, else ``<stem>.zip`` for one file and ``report.zip`` for several."""
    import zipfile  # here: a report that needs no zipping never pays for the import

    from ..models import File

    items = list(files) if isinstance(files, list) or isinstance(files, tuple) and not _is_triple(files) else [files]
    for index, item in enumerate(items):
        if _is_triple(item):  # the platform SDK's (filename, data, content_type)
            items[index] = item = File(item[0], item[2], None, item[1])
        if not isinstance(item, File):
            raise InvalidArgumentError(
                "files[{}]: expected a doover.models.File or a (filename, data, content_type) tuple, got {}".format(
                    index, type(item).__name__))
    if name is None:
        name = os.path.splitext(items[0].filename)[0] + ".zip" if len(items) == 1 else "report.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for item in items:
            archive.writestr(item.filename, item.data)
    data = buffer.getvalue()
    log.info("Zipped %d file(s) of %d bytes into %s (%d bytes)",
             len(items), sum(len(item.data) for item in items), name, len(data))
    return File(name, "application/zip", len(data), data)


def _is_triple(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)
