"""Criteria sets as data in the web UI: upload a new version as a draft, activate, retire.

An uploaded file is validated completely before anything is stored (``criteria.parse_set``,
then the checks that need the other sets: a fresh id and version, known roll-up titles, no
tie with a set already in use). Only an active upload is used by the evaluation
(``registry.evaluation.sets.all_sets``). The text is TOML data, never code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

import criteria
from criteria import CriteriaSet, RollupParams
from registry import audit
from registry.auth.services import in_scope
from registry.errors import Conflict, NotFound, OutOfScope, ValidationFailed
from registry.evaluation.sets import all_sets, clear_cache, shipped_sets
from registry.extensions import db
from registry.models import AdminUnit, CriteriaUpload, Role, UploadStatus, User
from registry.models._mixins import utcnow

MAX_BYTES = 200 * 1024
REFUSED = "Tệp bộ tiêu chí không hợp lệ, chưa lưu gì."


@dataclass(frozen=True)
class SetRow:
    """One line of the list of sets: a shipped file or an upload (``cset`` None if broken)."""

    key: str
    cset: CriteriaSet | None
    upload: CriteriaUpload | None
    problems: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return "shipped" if self.upload is None else self.upload.status.value


# --- reading ------------------------------------------------------------------------------------


def parsed(upload: CriteriaUpload) -> CriteriaSet:
    """The criteria set of an upload (it was valid when uploaded).

    :raises ValidationFailed: when it no longer loads (the program's rules changed since).
    """
    try:
        return criteria.parse_set(upload.source, upload.filename)
    except criteria.CriteriaError as error:
        raise ValidationFailed(REFUSED, {"file": error.problems}) from None


def set_rows() -> list[SetRow]:
    """Every shipped set, then every upload (newest first), for the list page."""
    rows = [SetRow(s.key, s, None) for s in shipped_sets()]
    uploads = db.session.scalars(select(CriteriaUpload).order_by(CriteriaUpload.id.desc()))
    for upload in uploads:
        try:
            rows.append(SetRow(upload.key, parsed(upload), upload))
        except ValidationFailed as error:
            rows.append(SetRow(upload.key, None, upload, tuple(error.field_errors["file"])))
    return rows


def shipped_source(key: str) -> tuple[CriteriaSet, str, str]:
    """``(set, file name, TOML text)`` of the shipped set ``<id>-v<version>``.

    :raises NotFound: when no shipped set has this key.
    """
    cset = next((s for s in shipped_sets() if s.key == key), None)
    path = next(criteria.SETS_DIR.rglob(f"{key}.toml"), None) if cset is not None else None
    if cset is None or path is None:
        raise NotFound("Không có bộ tiêu chí này.")
    return cset, path.name, path.read_text(encoding="utf-8")


def get_upload(upload_id: int) -> CriteriaUpload:
    """The upload with this id.

    :raises NotFound: when there is none.
    """
    upload = db.session.get(CriteriaUpload, upload_id)
    if upload is None:
        raise NotFound("Không có bộ tiêu chí tải lên này.")
    return upload


# --- checks that need the other sets ------------------------------------------------------------


def decode(filename: str, data: bytes) -> str:
    """The text of an uploaded file: at most 200 KB of UTF-8.

    :raises ValidationFailed: naming the file and the problem.
    """
    if not filename.lower().endswith(".toml"):
        raise _refusal([f"{filename}: tệp phải có đuôi .toml (a TOML file)"])
    if len(data) > MAX_BYTES:
        raise _refusal([f"{filename}: tệp {len(data) // 1024} KB, vượt quá giới hạn 200 KB"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _refusal(
            [f"{filename}: dòng {line}: không phải văn bản UTF-8 (not UTF-8 text)"]
        ) from None


def _refusal(problems: list[str]) -> ValidationFailed:
    return ValidationFailed(REFUSED, {"file": problems})


def collection_problems(
    cset: CriteriaSet, filename: str, others: Iterable[CriteriaSet]
) -> list[str]:
    """What is wrong with using ``cset`` together with ``others`` (the sets in use).

    Its roll-ups must name titles that exist for the member kind, and it must not tie with a
    set of another id (same subject, scope and version, overlapping years): the evaluation
    could not choose between them.
    """
    pool = [s for s in others if (s.id, s.version) != (cset.id, cset.version)]
    titles = {(s.id, s.subject) for s in (*pool, cset)}
    problems = []
    for index, criterion in enumerate(cset.criteria, start=1):
        params = criterion.params
        if isinstance(params, RollupParams) and (params.member_title, params.member) not in titles:
            problems.append(
                f'{filename}: criteria[{index}] "{criterion.id}".member_title: không có bộ tiêu '
                f'chí "{params.member_title}" cho {params.member} (no set with this id)'
            )
    for other in pool:
        if (
            other.id != cset.id
            and other.subject == cset.subject
            and other.scope == cset.scope
            and other.version == cset.version
            and _overlap(other, cset)
        ):
            problems.append(
                f"{filename}: version: trùng thứ tự ưu tiên với {other.key} (cùng đối tượng, "
                "phạm vi, phiên bản và năm áp dụng): không chọn được bộ nào (ambiguous)"
            )
    return problems


def _overlap(a: CriteriaSet, b: CriteriaSet) -> bool:
    far = 10_000
    return max(a.valid_from, b.valid_from) <= min(a.valid_to or far, b.valid_to or far)


def _fresh_key_problems(cset: CriteriaSet, filename: str) -> list[str]:
    if any((s.id, s.version) == (cset.id, cset.version) for s in shipped_sets()):
        return [f"{filename}: version: {cset.key} đã có trong các bộ tiêu chí cài sẵn"]
    taken = db.session.scalar(
        select(CriteriaUpload).where(
            CriteriaUpload.set_id == cset.id, CriteriaUpload.version == cset.version
        )
    )
    if taken is not None:
        return [
            f"{filename}: version: {cset.key} đã được tải lên (tệp {taken.filename}, "
            f"{taken.status.value}); hãy dùng số phiên bản mới"
        ]
    return []


def _scope_problems(cset: CriteriaSet, filename: str) -> list[str]:
    if cset.scope is None or _unit(cset.scope) is not None:
        return []
    return [f"{filename}: scope: không có đơn vị hành chính mã {cset.scope!r}"]


def _unit(code: str) -> AdminUnit | None:
    return db.session.scalar(select(AdminUnit).where(AdminUnit.code == code))


# --- actions -------------------------------------------------------------------------------------


def upload_set(actor: User, filename: str, data: bytes) -> CriteriaUpload:
    """Validate an uploaded criteria file and store it as a draft (not used yet).

    :raises ValidationFailed: listing every problem, each naming the file, place and problem.
    :raises OutOfScope: when the actor is not an administrator.
    """
    if actor.role is not Role.admin:
        raise OutOfScope("Chỉ quản trị hệ thống được tải lên bộ tiêu chí.")
    filename = PurePath(filename.replace("\\", "/")).name[:200] or "criteria.toml"
    text = decode(filename, data)
    try:
        cset = criteria.parse_set(text, filename)
    except criteria.CriteriaError as error:
        raise _refusal(error.problems) from None
    problems = _fresh_key_problems(cset, filename) + _scope_problems(cset, filename)
    problems += collection_problems(cset, filename, all_sets())
    if problems:
        raise _refusal(problems)
    upload = CriteriaUpload(
        set_id=cset.id, version=cset.version, filename=filename, source=text, uploaded_by=actor
    )
    try:
        with db.session.begin_nested():
            db.session.add(upload)
    except IntegrityError:  # uploaded at the same moment by someone else
        raise Conflict(f"{cset.key} vừa được tải lên.") from None
    audit.record(
        actor, "create", upload, unit_id=actor.unit_id, summary=f"Tải lên {cset.key} (bản nháp)"
    )
    return upload


def may_activate(actor: User, cset: CriteriaSet) -> bool:
    """Admins, and province officials for sets that only reach units in their scope."""
    if actor.role is Role.admin:
        return True
    if actor.role is not Role.province:
        return False
    if cset.scope is None:  # a national set reaches every root of the tree
        roots = db.session.scalars(select(AdminUnit).where(AdminUnit.parent_id.is_(None)))
        return all(in_scope(actor, root) for root in roots)
    unit = _unit(cset.scope)
    return unit is not None and in_scope(actor, unit)


def activate(actor: User, upload: CriteriaUpload) -> CriteriaSet:
    """Put a draft into use: from now on the evaluation may choose it (stored results change
    only when the evaluation runs again).

    :raises OutOfScope: when the actor may not activate this set.
    :raises ValidationFailed: when it no longer fits with the sets in use.
    :raises Conflict: when it is not a draft (any more).
    """
    cset = parsed(upload)
    if not may_activate(actor, cset):
        raise OutOfScope("Bạn không có quyền áp dụng bộ tiêu chí này.")
    if upload.status is not UploadStatus.draft:
        raise Conflict("Chỉ áp dụng được bộ tiêu chí đang là bản nháp.")
    problems = collection_problems(cset, upload.filename, all_sets())
    if problems:
        raise ValidationFailed("Không thể áp dụng bộ tiêu chí này.", {"file": problems})
    _change_status(upload, UploadStatus.draft, UploadStatus.active, activated_by_id=actor.id)
    audit.record(
        actor,
        "activate",
        upload,
        unit_id=actor.unit_id,
        changes={"status": ["draft", "active"]},
        summary=f"Áp dụng {upload.key}",
    )
    return cset


def retire(actor: User, upload: CriteriaUpload) -> None:
    """Stop using an upload (or discard a draft); the evaluation goes back to the other sets.

    :raises OutOfScope: when the actor may not retire this set.
    :raises ValidationFailed: when a set in use rolls up a title only this upload provides.
    :raises Conflict: when it is already retired.
    """
    cset = parsed(upload)
    if not may_activate(actor, cset):
        raise OutOfScope("Bạn không có quyền ngừng áp dụng bộ tiêu chí này.")
    before = upload.status
    if before is UploadStatus.active:
        _check_still_complete(cset)
    _change_status(upload, before, UploadStatus.retired, retired_by_id=actor.id)
    audit.record(
        actor,
        "retire",
        upload,
        unit_id=actor.unit_id,
        changes={"status": [before.value, "retired"]},
        summary=f"Ngừng áp dụng {upload.key}",
    )


def _check_still_complete(leaving: CriteriaSet) -> None:
    remaining = [s for s in all_sets() if s.key != leaving.key]
    problems = []
    for cset in remaining:
        if any(
            isinstance(c.params, RollupParams) and c.params.member_title == leaving.id
            for c in cset.criteria
        ):
            problems += collection_problems(cset, f"{cset.key}.toml", remaining)
    if problems:
        raise ValidationFailed(
            "Không thể ngừng áp dụng: bộ tiêu chí khác cần nó.", {"file": problems}
        )


def _change_status(
    upload: CriteriaUpload, old: UploadStatus, new: UploadStatus, **who: int
) -> None:
    """Move ``old`` → ``new`` with one conditional UPDATE (two officials clicking at once: one
    wins), then drop the cached sets of this process (other processes notice the generation)."""
    if old is UploadStatus.retired:
        raise Conflict("Bộ tiêu chí này đã ngừng áp dụng.")
    stamp = "activated_at" if new is UploadStatus.active else "retired_at"
    result = db.session.execute(
        update(CriteriaUpload)
        .where(CriteriaUpload.id == upload.id, CriteriaUpload.status == old)
        .values(status=new, **{stamp: utcnow()}, **who)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Bộ tiêu chí này vừa được người khác thay đổi. Vui lòng tải lại trang.")
    db.session.flush()
    db.session.refresh(upload)
    clear_cache()
