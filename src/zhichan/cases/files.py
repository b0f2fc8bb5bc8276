"""Checking an upload before it becomes a case attachment (content sniffed by the notices app)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FALLBACK_MAX_BYTES = 10 * 1024 * 1024


def check_upload(uploaded_file):
    """(content_type, size) of an acceptable file, else ValidationError({"file": [...]})."""
    try:
        from zhichan.notices.files import check_upload as notices_check
    except ImportError:
        notices_check = None
    if notices_check is not None:
        return notices_check(uploaded_file)
    size = uploaded_file.size
    if size > FALLBACK_MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(n)d MB.") % {"n": FALLBACK_MAX_BYTES // 2**20}]}
        )
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF"):
        return "application/pdf", size
    if head.startswith(b"\x89PNG"):
        return "image/png", size
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", size
    raise ValidationError({"file": [_("Only PDF, PNG and JPEG files are accepted.")]})
