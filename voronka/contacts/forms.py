from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.contacts.choices import Lifecycle
from voronka.contacts.models import Company, Contact
from voronka.core.phones import PhoneError, parse_phone, split_lines, split_phones
from voronka.core.taxid import TaxIdError, clean_inn, clean_kpp, clean_ogrn

MAX_VALUES = 20


def parse_phones(text: str) -> list:
    values = split_phones(text)
    if len(values) > MAX_VALUES:
        raise ValidationError(_("Too many values (at most %(n)s)."), params={"n": MAX_VALUES})
    phones, errors = [], []
    for value in values:
        try:
            phones.append(parse_phone(value, region=settings.VORONKA_PHONE_REGION))
        except PhoneError:
            errors.append(
                ValidationError(
                    _("“%(value)s” is not a valid phone number."),
                    code="invalid_phone",
                    params={"value": value[:80]},
                )
            )
    if errors:
        raise ValidationError(errors)
    return phones


def parse_emails(text: str) -> list[str]:
    values = split_lines(text)
    if len(values) > MAX_VALUES:
        raise ValidationError(_("Too many values (at most %(n)s)."), params={"n": MAX_VALUES})
    validator = EmailValidator()
    emails, errors, seen = [], [], set()
    for value in values:
        try:
            validator(value)
        except ValidationError:
            errors.append(
                ValidationError(
                    _("“%(value)s” is not a valid e-mail address."),
                    code="invalid_email",
                    params={"value": value[:80]},
                )
            )
            continue
        if value.lower() not in seen:
            seen.add(value.lower())
            emails.append(value)
    if errors:
        raise ValidationError(errors)
    return emails


def lines_of(rows, attr: str) -> str:
    return "\n".join(getattr(r, attr) for r in rows)


class _PartyForm(forms.ModelForm):
    """Shared by contacts and companies: phones and e-mails typed one per line; the owner."""

    phones_text = forms.CharField(
        label=_("Phones"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; an extension as “доб. 123”."),
    )
    emails_text = forms.CharField(
        label=_("E-mails"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and not self.is_bound:
            self.initial["phones_text"] = lines_of(self.instance.phones.all(), "raw")
            self.initial["emails_text"] = lines_of(self.instance.emails.all(), "email")
        if user.is_rep:
            # A rep owns what they create; the owner of an existing record stays as it is.
            del self.fields["owner"]
        else:
            field = self.fields["owner"]
            field.queryset = User.objects.visible_to(user).filter(is_active=True)
            field.required = False
            if not self.instance.pk and not self.is_bound:
                self.initial["owner"] = user.pk

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise ValidationError(_("This field is required."), code="required")
        return name

    def clean_phones_text(self):
        return parse_phones(self.cleaned_data.get("phones_text", ""))

    def clean_emails_text(self):
        return parse_emails(self.cleaned_data.get("emails_text", ""))

    def service_kwargs(self) -> dict:
        """The cleaned data as keyword arguments of the create/update services."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}
        if "owner" not in self.fields and not self.instance.pk:
            data["owner"] = self.user
        data["phones"] = self.cleaned_data["phones_text"]
        data["emails"] = self.cleaned_data["emails_text"]
        return data


class ContactForm(_PartyForm):
    class Meta:
        model = Contact
        fields = ["name", "position", "company", "lifecycle", "source", "messengers", "owner"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        visible = Company.objects.visible_to(user)
        if self.instance.company_id:
            # Keeping the current link is allowed even when the company is outside the zone.
            visible = Company.objects.filter(
                Q(pk__in=visible.values("pk")) | Q(pk=self.instance.company_id)
            )
        self.fields["company"].queryset = visible.order_by("name")
        self.fields["company"].required = False
        self.order_fields(
            ["name", "position", "company", "phones_text", "emails_text", "messengers"]
        )


class CompanyForm(_PartyForm):
    website = forms.CharField(label=_("Website"), required=False, max_length=300)

    class Meta:
        model = Company
        fields = [
            "name",
            "legal_name",
            "inn",
            "kpp",
            "ogrn",
            "website",
            "address",
            "lifecycle",
            "source",
            "owner",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(
            ["name", "legal_name", "inn", "kpp", "ogrn", "phones_text", "emails_text", "website"]
        )

    def clean_inn(self):
        try:
            return clean_inn(self.cleaned_data.get("inn", ""))
        except TaxIdError:
            raise ValidationError(_("This INN is not valid (wrong length or checksum)."))

    def clean_kpp(self):
        try:
            return clean_kpp(self.cleaned_data.get("kpp", ""))
        except TaxIdError:
            raise ValidationError(_("This KPP is not valid."))

    def clean_ogrn(self):
        try:
            return clean_ogrn(self.cleaned_data.get("ogrn", ""))
        except TaxIdError:
            raise ValidationError(_("This OGRN is not valid."))

    def clean_website(self):
        value = (self.cleaned_data.get("website") or "").strip()
        if not value:
            return ""
        if "://" not in value and ":" not in value.split("/")[0]:
            value = "https://" + value
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(_("Enter a web address starting with http:// or https://."))
        return value


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"),
        required=False,
        choices=[("", _("Any lifecycle"))] + list(Lifecycle.choices),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("Anyone")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.visible_to(user).filter(is_active=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "q": self.cleaned_data["q"],
            "lifecycle": self.cleaned_data["lifecycle"],
            "owner": self.cleaned_data["owner"],
        }


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("This field is required."), code="required")
        return body


class AttachmentForm(forms.Form):
    upload = forms.FileField(label=_("File"))

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.VORONKA_MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                _("The file is too large (at most %(mb)s MB)."),
                params={"mb": settings.VORONKA_MAX_ATTACHMENT_BYTES // 2**20},
            )
        return upload
