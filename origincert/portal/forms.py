"""Every form of the portal (flask-wtf: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from origincert.portal.accounts import MIN_PASSWORD_LENGTH

__all__ = [
    "LogSearchForm",
    "LoginForm",
    "NumberForm",
    "OfficeForm",
    "OfficerForm",
    "PasswordForm",
    "QrForm",
    "ResetPasswordForm",
    "TokenForm",
    "UploadForm",
]


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)]
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new", "The passwords differ.")],
    )


class UploadForm(FlaskForm):
    file = FileField(
        "Certificate file or photo of its QR code",
        validators=[FileRequired("Choose a file first.")],
    )


class QrForm(FlaskForm):
    payload = TextAreaField("QR code text", validators=[DataRequired(), Length(max=8192)])


class NumberForm(FlaskForm):
    number = StringField("Certificate number", validators=[DataRequired(), Length(max=64)])
    target_hash = HiddenField()  # chosen among several certificates with the same number


class LogSearchForm(FlaskForm):
    """The log filters, sent by GET (no CSRF: searching changes nothing)."""

    class Meta:
        csrf = False

    number = StringField("Certificate number", validators=[Optional(), Length(max=64)])
    officer = StringField("Officer", validators=[Optional(), Length(max=64)])
    office = StringField("Office", validators=[Optional(), Length(max=32)])
    verdict = SelectField("Verdict", validators=[Optional()], validate_choice=True)
    channel = SelectField("Method", validators=[Optional()], validate_choice=True)
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


class OfficerForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    office = SelectField(
        "Office", validators=[DataRequired()]
    )  # choices: the offices, set by the view
    password = PasswordField(
        "Initial password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)]
    )
    is_admin = BooleanField("Portal administrator")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)]
    )


class OfficeForm(FlaskForm):
    code = StringField("Office code", validators=[DataRequired(), Length(max=32)])
    name = StringField("Office name", validators=[DataRequired(), Length(max=200)])


class TokenForm(FlaskForm):
    name = StringField("System name", validators=[DataRequired(), Length(max=100)])
    office = SelectField("Office", validators=[DataRequired()])
