"""Writing output files atomically: the path checked first, the data written to a
temporary file and moved into place without replacing another run's file, and nothing
left behind (file or folder) when the write fails."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from ._format import SUFFIX

# -- writing -------------------------------------------------------------------------


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_output_path(
    path, *, overwrite: bool = False, what: str = "file", create_parents: bool = False
) -> Path:
    """Check that ``path`` can be written: parent folder present and writable, no
    existing file or symlink there unless ``overwrite``.

    Parameters
    ----------
    path : str or path-like
    overwrite : bool, default=False
    what : str
        What is written, for the messages (e.g. ``"model file"``).
    create_parents : bool, default=False
        Accept a missing parent folder when the nearest existing one is writable:
        :func:`write_atomically` creates it when the output is complete (and removes
        it again if the write fails), so a failed run leaves no empty folder.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from riskml.persistence import check_output_path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     check_output_path(Path(folder) / "risks.csv").name
    'risks.csv'
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a file path (str or pathlib.Path); got {type(path).__name__}."
        )
    if str(path) == "" or str(path).endswith(("/", os.sep)) and not Path(path).exists():
        raise ValueError(
            f"{str(path)!r} is not a file name; give the {what} a file name, e.g. "
            f"{('model' + SUFFIX) if what == 'model file' else 'out.csv'!r}."
        )
    path = Path(path)
    if path.is_symlink() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} is a symbolic link; riskml does not write through links. Choose "
            f"another path for the {what}, or pass overwrite=True to replace the link itself "
            "(its target is left alone)."
        )
    if path.exists() and not path.is_symlink() and not path.is_dir() and not path.is_file():
        raise FileExistsError(
            f"{str(path)!r} is not a regular file (a device, a pipe or a socket); riskml writes "
            f"regular files only, and never replaces such an entry. Choose another path for the "
            f"{what}."
        )
    if path.is_dir():
        raise IsADirectoryError(
            f"{str(path)!r} is a folder; give the {what} a file name, e.g. "
            f"{str(path / ('model' + SUFFIX if what == 'model file' else 'out.csv'))!r}."
        )
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} already exists; riskml does not replace files unless asked. Choose "
            "another name, or pass overwrite=True (--overwrite on the command line)."
        )
    parent = path.parent
    if not parent.is_dir():
        ancestor = _existing_ancestor(parent)
        if ancestor.exists() and not ancestor.is_dir():
            raise NotADirectoryError(
                f"the {what} {str(path)!r} cannot be written: {str(ancestor)!r} is a file, not "
                "a folder. Choose a path inside a folder."
            )
        if not create_parents:
            raise FileNotFoundError(
                f"the folder {str(parent)!r} for the {what} does not exist; create it first."
            )
        parent = ancestor
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            f"the folder {str(parent)!r} is not writable; choose a folder you can write to for "
            f"the {what}."
        )
    return path


_WRITE_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space, or choose a folder on another disk"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space, or choose another folder"),
    errno.EFBIG: ("the file is too large for this file system", "choose another folder"),
    errno.EROFS: ("the file system is read-only", "choose a folder you can write to"),
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("the operation is not permitted", "choose a folder you can write to"),
    errno.ENOENT: ("its folder disappeared while riskml was writing", "create it again"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another path"),
    errno.ENAMETOOLONG: ("the file name is too long", "choose a shorter name"),
    errno.EIO: ("the device reported an input/output error", "check the disk"),
}


def _write_error(error: OSError, path: Path, what: str) -> OSError:
    code = getattr(error, "errno", None)
    reason, fix = _WRITE_REASONS.get(
        code, (str(getattr(error, "strerror", None) or error), "choose another folder")
    )
    label = errno.errorcode.get(code, "") if code is not None else ""
    from ..errors import WriteError

    return WriteError(
        f"could not write the {what} {str(path)!r}: {reason}"
        + (f" ({label})" if label else "")
        + ". Nothing was written: the partial file was removed, and any folder made for it. "
        f"Fix: {fix} (--out on the command line).",
        errno=code,
        filename=path,
    )


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and missing ancestors; returns those created, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    created = []
    for item in reversed(missing):
        try:
            item.mkdir()
        except FileExistsError:
            continue  # another run made it meanwhile
        created.append(item)
    return created


def _remove_folders(created: list[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if still empty


def _place(temporary: str, path: Path, data: bytes, overwrite: bool, mode=None) -> None:
    """Move a complete temporary file to ``path``; never replaces unless ``overwrite``.

    Without ``overwrite`` the file is linked into place (``os.link`` fails if the
    name exists, atomically), so two runs writing the same path never replace
    each other. File systems without hard links get an exclusive create instead.
    """
    if overwrite:
        os.replace(temporary, path)  # swaps the entry: a symbolic link is replaced, not followed
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as error:
        unsupported = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP}
        if error.errno not in unsupported:
            raise
        handle = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if mode is None else mode
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def write_atomically(
    path, data: bytes, *, overwrite: bool = False, what: str = "file", mode: int | None = None
) -> None:
    """Write ``data`` to a temporary file beside ``path``, then move it into place.

    A crash, an interrupt, a full disk or a read-only folder leaves no partial
    file: the temporary file (and any folder created for it) is removed. Without
    ``overwrite`` the file is linked into place only if ``path`` does not exist at
    that moment (an atomic check): a file another run wrote meanwhile is never
    replaced, and ``FileExistsError`` says so.

    Parameters
    ----------
    path : path-like
    data : bytes
    overwrite : bool, default=False
        Replace an existing file (``os.replace``; a symbolic link is replaced,
        its target left alone).
    what : str
        What is written, for the messages.
    mode : int, optional
        Permission bits of the file (default: 0o600, private to the user).

    Raises
    ------
    FileExistsError
        ``path`` exists (another run wrote it after this one checked it).
    riskml.errors.WriteError
        An ``OSError`` (disk full, read-only, permission) with one message that
        names the path and the fix.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from riskml.persistence import write_atomically
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "risks.csv"
    ...     write_atomically(path, b"row,risk\\n1,0.2\\n")
    ...     write_atomically(path, b"row,risk\\n1,0.3\\n", overwrite=True)
    ...     path.read_text()
    'row,risk\\n1,0.3\\n'
    """
    write_files_atomically([(path, data)], overwrite=overwrite, what=what, mode=mode)


def write_files_atomically(
    items, *, overwrite: bool = False, what: str = "files", mode: int | None = None
) -> None:
    """Write several files as one unit: all of them, or none (see :func:`write_atomically`).

    Parameters
    ----------
    items : list of (path-like, bytes)
    overwrite : bool, default=False
    what : str
        What is written, for the messages.
    mode : int, optional
        Permission bits of the files (default: 0o600).

    Examples
    --------
    >>> import os, tempfile
    >>> from riskml.persistence import write_files_atomically
    >>> folder = tempfile.mkdtemp()
    >>> write_files_atomically([(os.path.join(folder, "a.csv"), b"row,risk"),
    ...                         (os.path.join(folder, "b.md"), b"# Results")])
    >>> sorted(os.listdir(folder))
    ['a.csv', 'b.md']
    """
    items = [(Path(path), data) for path, data in items]
    created: list[Path] = []
    temporaries: list[str] = []
    placed: list[Path] = []
    current = items[0][0]
    try:
        for path, _ in items:
            current = path
            created += _make_folders(path.parent)
        for path, data in items:
            current = path
            handle, temporary = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
            )
            temporaries.append(temporary)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            if mode is not None:
                os.chmod(temporary, mode)
        for (path, data), temporary in zip(items, temporaries, strict=True):
            current = path
            existed = path.exists() or path.is_symlink()
            _place(temporary, path, data, overwrite, mode)
            if not existed:
                placed.append(path)
    except BaseException as error:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        for path in placed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        _remove_folders(created)
        if isinstance(error, FileExistsError):
            raise FileExistsError(
                f"{str(current)!r} was written by another run while this one was running (it "
                f"did not exist when this run checked it); riskml does not replace it. This "
                f"{what} was not written"
                + (
                    f", nor {', '.join(repr(str(p)) for p, _ in items if p != current)}"
                    if len(items) > 1
                    else ""
                )
                + ". Fix: run again with another output name or folder, or pass overwrite=True "
                "(--overwrite) to replace it."
            ) from None
        if isinstance(error, OSError):
            raise _write_error(error, current, what) from error
        raise
