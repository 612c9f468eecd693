"""Writes: every change to Commons Map data goes through a function here."""

from mapapp.services.accounts import (  # noqa: F401
    account_delete,
    account_export,
    api_token_renew,
    api_token_revoke,
    profile_update,
)
from mapapp.services.entries import (  # noqa: F401
    StaleVersion,
    category_save,
    entry_create,
    entry_edit,
    entry_refresh_tags,
    entry_save_from_admin,
    entry_submit,
    entry_update,
    tag_save,
    tags_from_names,
)
from mapapp.services.imports import (  # noqa: F401
    import_abandon,
    import_confirm,
    import_files_expire,
    import_map,
    import_progress,
    import_upload,
)
from mapapp.services.moderation import (  # noqa: F401
    MODERATION_STATUS,
    StaleSuggestion,
    change_data,
    change_request_apply,
    change_request_create,
    change_request_decline,
    entry_moderate,
    entry_revert,
    report_close,
    report_create,
    suggested_changes,
)
from mapapp.services.threats import (  # noqa: F401
    CASE_FIELDS,
    EVENT_FIELDS,
    PENDING_PER_HOUR,
    StaleCase,
    TooManyContributions,
    case_create,
    case_open_to_events,
    case_submit,
    case_update,
    cases_open_to_events,
    contribution_review,
    deadlines_refresh_all,
    event_create,
    event_submit,
    may_publish_directly,
    rule_save,
    threat_refresh,
)
