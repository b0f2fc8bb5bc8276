"""Forms of the knowledge pages; they parse input, the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.catalog.forms import BootstrapForm
from zhichan.catalog.models import ServiceItem
from zhichan.knowledge.models import LawStatus
from zhichan.regions.models import Region


def _region_choices(user):
    if user.is_superuser or user.role == "city_admin":
        regions = Region.objects.all()
    else:
        regions = Region.objects.filter(pk__in=user.region.subtree_ids())
    return [("", _("City-wide / national"))] + [(r.pk, r.name) for r in regions.order_by("code")]


class PolicyForm(BootstrapForm):
    title = forms.CharField(label=_("title"), max_length=200)
    issuing_body = forms.CharField(label=_("issuing body"), max_length=200)
    document_number = forms.CharField(label=_("document number"), max_length=100, required=False)
    issued_on = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("status"), choices=LawStatus.choices)
    region = forms.ChoiceField(label=_("region"), required=False)
    tags = forms.CharField(label=_("tags"), required=False, help_text=_("Separated by commas."))
    text = forms.CharField(label=_("full text"), widget=forms.Textarea(attrs={"rows": 12}))
    is_summary = forms.BooleanField(label=_("text is a summary"), required=False)
    published = forms.BooleanField(label=_("published"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices(user)
        for name in ("is_summary", "published"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class QAForm(BootstrapForm):
    question = forms.CharField(label=_("question"), max_length=300)
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 6}))
    service_item = forms.ChoiceField(label=_("service item"), required=False)
    articles = forms.CharField(
        label=_("legal basis"),
        required=False,
        help_text=_("Article ids, separated by commas (shown on each article's page)."),
    )
    region = forms.ChoiceField(label=_("region"), required=False)
    tags = forms.CharField(label=_("tags"), required=False, help_text=_("Separated by commas."))
    published = forms.BooleanField(label=_("published"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices(user)
        items = ServiceItem.objects.restrict(user, "view").order_by("code")
        self.fields["service_item"].choices = [("", "—")] + [(i.pk, f"{i.code} {i.name}") for i in items]
        self.fields["published"].widget.attrs["class"] = "form-check-input"

    def clean_articles(self):
        raw = (self.cleaned_data.get("articles") or "").replace("，", ",")
        ids = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(_("Article ids are numbers, e.g. 12, 57."))
            ids.append(int(part))
        return ids
