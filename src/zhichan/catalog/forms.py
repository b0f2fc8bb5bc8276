"""Forms of the catalogue pages. They parse text into guide fields; the services hold the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhichan.agencies.models import AgencyType
from zhichan.catalog.models import Category, Channel
from zhichan.core.permissions import role_of
from zhichan.regions.models import Region, RegionKind

YES = {"yes", "y", "true", "1", "required", "是", "必须", "必需", "必要"}
NO = {"no", "n", "false", "0", "optional", "否", "可选", "非必须"}


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """Non-empty lines split at "|", with their line numbers."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            out.append((number, [part.strip() for part in line.split("|")]))
    return out


class BootstrapForm(forms.Form):
    """Adds Bootstrap classes to the widgets, so templates render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ItemForm(BootstrapForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_("2 to 30 capital letters, digits or hyphens, starting with a letter, e.g. TM-REG."),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    sort = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)
    owner_region = forms.ModelChoiceField(
        label=_("Published by (region)"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("City-wide"),
        help_text=_("County administrators publish items of their own county."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.exclude(kind=RegionKind.PROVINCE)
        if role_of(user) == "county_admin" and user.region_id and not user.is_superuser:
            regions = regions.filter(pk__in=user.region.subtree_ids())
            self.fields["owner_region"].required = True
            self.fields["owner_region"].initial = user.region_id
        self.fields["owner_region"].queryset = regions


class ItemDetailsForm(BootstrapForm):
    """The item's own details on the edit page (the code cannot change)."""

    name = forms.CharField(label=_("Name"), max_length=150)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    sort = forms.IntegerField(label=_("Order"), min_value=0, required=False)


class DraftForm(BootstrapForm):
    steps = forms.CharField(
        label=_("Steps"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One step per line, in order."),
    )
    materials = forms.CharField(
        label=_("Required materials"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_(
            "One per line: name | copies | required (yes/no) | note. Only the name is needed, "
            "e.g. “申请书 | 1 | yes”."
        ),
    )
    fees = forms.CharField(
        label=_("Fees"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Amounts and who collects them; write “免费” for free services."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line: law | article, e.g. “《中华人民共和国商标法》 | 第二十二条”."),
    )
    time_limit_days = forms.IntegerField(
        label=_("Time limit (working days)"),
        required=False,
        help_text=_("Working days from acceptance to completion, 1 to 365."),
    )
    time_limit_note = forms.CharField(label=_("Time limit note"), max_length=200, required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    agency_types = forms.MultipleChoiceField(
        label=_("Provided by agency types"),
        choices=AgencyType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    faq = forms.CharField(
        label=_("FAQ"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line: question | answer."),
    )

    @staticmethod
    def initial_from(version) -> dict:
        if version is None:
            return {}

        def material(m):
            parts = [
                m["name"],
                str(m.get("copies", "")),
                {True: "yes", False: "no"}.get(m.get("required"), ""),
            ]
            if m.get("note"):
                parts.append(m["note"])
            return " | ".join(parts).rstrip(" |")

        return {
            "steps": "\n".join(version.steps),
            "materials": "\n".join(material(m) for m in version.materials),
            "fees": version.fees,
            "legal_basis": "\n".join(
                " | ".join(p for p in (b["law"], b.get("article", "")) if p) for b in version.legal_basis
            ),
            "time_limit_days": version.time_limit_days,
            "time_limit_note": version.time_limit_note,
            "channels": version.channels,
            "agency_types": version.agency_types,
            "faq": "\n".join(f"{f['q']} | {f['a']}" for f in version.faq),
        }

    def clean_steps(self):
        return [line.strip() for line in (self.cleaned_data["steps"] or "").splitlines() if line.strip()]

    def clean_materials(self):
        out, errors = [], []
        for number, parts in _lines(self.cleaned_data["materials"]):
            if len(parts) > 4:
                errors.append(_("Line %(n)d has more than 4 parts.") % {"n": number})
                continue
            entry = {"name": parts[0]}
            if len(parts) > 1 and parts[1]:
                if not parts[1].isdigit():
                    errors.append(_("Line %(n)d: copies must be a number.") % {"n": number})
                    continue
                entry["copies"] = int(parts[1])
            if len(parts) > 2 and parts[2]:
                flag = parts[2].lower()
                if flag not in YES | NO:
                    errors.append(_("Line %(n)d: required must be yes or no.") % {"n": number})
                    continue
                entry["required"] = flag in YES
            if len(parts) > 3 and parts[3]:
                entry["note"] = parts[3]
            out.append(entry)
        if errors:
            raise ValidationError(errors)
        return out

    def clean_legal_basis(self):
        out, errors = [], []
        for number, parts in _lines(self.cleaned_data["legal_basis"]):
            if len(parts) > 2:
                errors.append(_("Line %(n)d: write law | article.") % {"n": number})
                continue
            entry = {"law": parts[0]}
            if len(parts) == 2 and parts[1]:
                entry["article"] = parts[1]
            out.append(entry)
        if errors:
            raise ValidationError(errors)
        return out

    def clean_faq(self):
        out, errors = [], []
        for number, parts in _lines(self.cleaned_data["faq"]):
            if len(parts) < 2 or not parts[0] or not parts[1]:
                errors.append(_("Line %(n)d: write question | answer.") % {"n": number})
                continue
            out.append({"q": parts[0], "a": " | ".join(parts[1:])})
        if errors:
            raise ValidationError(errors)
        return out


class PublishForm(BootstrapForm):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=255,
        required=False,
        help_text=_("Shown in the version history; required from the second version on."),
    )
