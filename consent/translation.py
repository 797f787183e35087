"""Fields that visitors read, translated with django-modeltranslation (one column per language)."""

from modeltranslation.translator import TranslationOptions, register

from consent.models import Cookie, EmailTracker, Purpose


@register(Purpose)
class PurposeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Cookie)
class CookieTranslation(TranslationOptions):
    fields = ("description", "duration")


@register(EmailTracker)
class EmailTrackerTranslation(TranslationOptions):
    fields = ("description",)
