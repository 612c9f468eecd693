from django.urls import path

from mapapp.pages import (
    account,
    contribute,
    follows,
    freshness,
    imports,
    moderation,
    threats,
    threats_page,
)
from mapapp.pages import public as views

urlpatterns = [
    path("", views.home, name="home"),
    path("embed/", views.embed, name="embed"),
    path("entries/", views.entry_list, name="entry-list"),
    path("entries/new/", contribute.entry_new, name="entry-new"),
    path("entries/<str:slug>/", views.entry_detail, name="entry-detail"),
    path("entries/<str:slug>/edit/", contribute.entry_edit, name="entry-edit"),
    path("entries/<str:slug>/suggest/", contribute.entry_suggest, name="entry-suggest"),
    path("entries/<str:slug>/report/", contribute.entry_report, name="entry-report"),
    path("entries/<str:slug>/history/", contribute.entry_history, name="entry-history"),
    path("entries/<str:slug>/verify/", freshness.verify, name="entry-verify"),
    path("entries/<str:slug>/still-here/", freshness.confirm_visit, name="entry-still-here"),
    path("freshness/<str:token>/", freshness.answer, name="freshness-answer"),
    path(
        "entries/<str:slug>/history/<int:history_id>/revert/",
        moderation.revert,
        name="entry-revert",
    ),
    # Threat cases and their events (the entry page shows them; moderators review them).
    path("entries/<str:slug>/cases/new/", threats.case_new, name="case-new"),
    path("entries/<str:slug>/cases/<int:pk>/edit/", threats.case_edit, name="case-edit"),
    path("entries/<str:slug>/cases/<int:pk>/events/new/", threats.event_new, name="event-new"),
    path("moderation/cases/<int:pk>/<str:action>/", moderation.decide_case, name="moderate-case"),
    path(
        "moderation/events/<int:pk>/<str:action>/", moderation.decide_event, name="moderate-event"
    ),
    path("my/entries/", contribute.my_entries, name="my-entries"),
    path("moderation/", moderation.queue, name="moderation"),
    path(
        "moderation/entries/<str:slug>/<str:action>/",
        moderation.decide_entry,
        name="moderate-entry",
    ),
    path(
        "moderation/changes/<int:pk>/<str:action>/",
        moderation.decide_change,
        name="moderate-change",
    ),
    path(
        "moderation/reports/<int:pk>/<str:action>/",
        moderation.decide_report,
        name="moderate-report",
    ),
    path("account/", account.account, name="account"),
    path("account/data/", account.account_data, name="account-data"),
    path("account/delete/", account.account_delete, name="account-delete"),
    path("account/token/", account.token_renew, name="account-token"),
    path("account/token/revoke/", account.token_revoke, name="account-token-revoke"),
    path("account/follows/", follows.follow_list, name="account-follows"),
    path("follows/entry/<str:slug>/", follows.follow_entry, name="follow-entry"),
    path("follows/category/<str:slug>/", follows.follow_category, name="follow-category"),
    path("follows/area/", follows.follow_area, name="follow-area"),
    path("follows/<int:pk>/frequency/", follows.follow_frequency, name="follow-frequency"),
    path("follows/<int:pk>/delete/", follows.unfollow, name="unfollow"),
    path("unsubscribe/<str:token>/", follows.unsubscribe, name="unsubscribe"),
    path("threats/", threats_page.threats, name="threats"),
    # Imports (trusted contributors and moderators): upload, map, dry run, confirm.
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:pk>/", imports.import_run, name="import-run"),
    path("imports/<int:pk>/sheet/", imports.import_sheet, name="import-sheet"),
    path("imports/<int:pk>/progress.json", imports.import_progress, name="import-progress"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/abandon/", imports.import_abandon, name="import-abandon"),
    path(
        "imports/sources/<slug:slug>/export.csv", imports.source_export, name="import-source-export"
    ),
    path("privacy/", views.privacy, name="privacy"),
    path("favicon.ico", views.favicon, name="favicon"),
]
