"""Forms of dataio: the upload of import files (CSV files or one zip), erasure requests and
confirmations."""

import os
import zipfile
import zlib
from pathlib import PurePosixPath

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from mentoring.forms import GuidedForm

from .importing import FILE_NAMES
from .privacy import reason_names_the_person

LARGER_SETS = ("A larger set can be imported by whoever runs the server, with the command "
               "manage.py import_data FOLDER (see the README).")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _zip_member_name(info):
    """The import file a zip member holds, None to skip it; ValueError if it is not allowed."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise ValueError(f"{info.filename}: a path outside the zip is not allowed")
    if info.is_dir() or path.parts[:1] == ("__MACOSX",) or path.name.startswith("."):
        return None
    if path.name.lower() not in FILE_NAMES:
        raise ValueError(f"{info.filename}: not a file this import knows")
    return path.name.lower()


class ImportUploadForm(GuidedForm, forms.Form):
    files = MultipleFileField(
        label="Import files",
        help_text="Choose one or more of the CSV files, or one zip that holds them. "
        "Nothing is imported until you have seen the check and pressed Import.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("check", "Check the files"))
        self.members = []  # (import file name, uploaded file, zip member or None)

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
        errors, members, total = [], [], 0
        for upload in uploads:
            name = os.path.basename(upload.name or "")
            lower = name.lower()
            total += upload.size
            if lower.endswith(".zip"):
                try:
                    archive = zipfile.ZipFile(upload)
                    infos = archive.infolist()
                except ZIP_ERRORS:
                    errors.append(f"{name}: not a zip file that can be opened")
                    continue
                unpacked = 0
                for info in infos:
                    try:
                        member = _zip_member_name(info)
                    except ValueError as exc:
                        errors.append(f"{name}: {exc}")
                        continue
                    if member:
                        unpacked += info.file_size
                        members.append((member, upload, info))
                if unpacked > limit:
                    errors.append(f"{name}: unpacked, it holds {filesizeformat(unpacked)}; at most {filesizeformat(limit)} can be "
                                  f"imported here. {LARGER_SETS}")
            elif lower.endswith(".csv"):
                if lower not in FILE_NAMES:
                    errors.append(f"{name}: not a file this import knows (expected: {', '.join(FILE_NAMES)})")
                else:
                    members.append((lower, upload, None))
            else:
                errors.append(f"{name}: only .csv files or a .zip can be imported")
        if total > limit:
            errors.append(f"The files add up to {filesizeformat(total)}; at most {filesizeformat(limit)} can be uploaded "
                          f"here. {LARGER_SETS}")
        names = [member for member, _, _ in members]
        for repeated in sorted({n for n in names if names.count(n) > 1}):
            errors.append(f"{repeated} was given more than once")
        if not errors and not members:
            errors.append("The zip holds none of the import files.")
        if errors:
            raise forms.ValidationError(errors)
        self.members = members
        return uploads

    def save_to(self, directory):
        """Write the files into `directory` (zip members unpacked, size capped); returns their names."""
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
        written = 0
        for name, upload, info in self.members:
            target = os.path.join(directory, name)
            with open(target, "wb") as out:
                if info is None:
                    upload.seek(0)
                    for chunk in upload.chunks():
                        out.write(chunk)
                        written += len(chunk)
                else:
                    for chunk in _unpacked(upload, info):
                        written += len(chunk)
                        if written > limit:  # a zip that lies about its sizes
                            raise forms.ValidationError("The unpacked files are larger than the upload limit.")
                        out.write(chunk)
        return sorted((n for n, _, _ in self.members), key=FILE_NAMES.index)


# What reading a damaged or unusual zip raises: a bad CRC or header, broken compressed data, a
# file cut short, a password, a compression method Python does not read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError)


def _unpacked(upload, info):
    """The member's bytes, a megabyte at a time; a damaged zip is a ValidationError."""
    name = os.path.basename(upload.name or "")
    try:
        with zipfile.ZipFile(upload).open(info) as source:
            while chunk := source.read(1024 * 1024):
                yield chunk
    except ZIP_ERRORS as exc:
        raise forms.ValidationError(
            f"{name}: {info.filename} cannot be unpacked, the zip is damaged or protected ({exc}). "
            "Make the zip again, or upload the CSV files themselves."
        ) from None


class ErasureRequestForm(GuidedForm, forms.Form):
    reason = forms.CharField(
        label="Why is the record to be erased?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="For example: 'Erasure requested by the person in writing on 3 Nov; no legal reason to keep it.' "
        "Do not include their name or references: the reason is kept after the record is erased.",
    )
    confirm = forms.BooleanField(
        label="I understand that, once a second manager approves, this cannot be undone.", required=True
    )

    def __init__(self, *args, client, **kwargs):
        self.client = client
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Request erasure", css_class="btn-danger"))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if reason_names_the_person(reason, self.client):
            raise forms.ValidationError("Leave the person's name and references out of the reason.")
        return reason


class ConfirmForm(GuidedForm, forms.Form):
    """A tick box before something that cannot be undone."""

    confirm = forms.BooleanField(
        label="I understand this cannot be undone.",
        error_messages={"required": "Tick the box to confirm: this cannot be undone."},
    )

    def __init__(self, *args, button="Confirm", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", button, css_class="btn-danger"))
