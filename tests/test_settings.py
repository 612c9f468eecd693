"""Settings are read from the environment and refuse values they cannot understand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(expression="s.DATABASES['default']['ENGINE']", **env):
    """Start-up under env alone (the suite's own variables removed); prints expression."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "CACHE_URL",
            "TILE_URL",
            "ALLOWED_HOSTS",
            "JOB_BROKER",
        }
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import commons.settings as s; print({expression})",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_defaults_select_the_embedded_spatialite_database():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "mapapp.spatialite"


def test_a_postgis_url_selects_postgis():
    result = load_settings(DATABASE_URL="postgis://someone@db.internal:5432/commons")
    assert result.stdout.strip() == "django.contrib.gis.db.backends.postgis"


@pytest.mark.parametrize(
    "env,named",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgis://user@host:notaport/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgis://user@host:5432/"}, "DATABASE_URL"),
        ({"CACHE_URL": "memcache://x"}, "CACHE_URL"),
        ({"TILE_URL": "ftp://tiles"}, "TILE_URL"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"SEARCH_COUNT_LIMIT": "0"}, "SEARCH_COUNT_LIMIT"),
        ({"SEARCH_COUNT_LIMIT": "50000"}, "SEARCH_COUNT_LIMIT"),
        ({"FRESHNESS_REMINDERS_PER_DAY": "0"}, "FRESHNESS_REMINDERS_PER_DAY"),
        ({"FRESHNESS_REMINDER_DAYS": "a year"}, "FRESHNESS_REMINDER_DAYS"),
        ({"JOB_WORKERS": "0"}, "JOB_WORKERS"),
        ({"JOB_TIMEOUT_SECONDS": "soon"}, "JOB_TIMEOUT_SECONDS"),
        ({"JOB_MAX_ATTEMPTS": "0"}, "JOB_MAX_ATTEMPTS"),
        ({"JOB_LOG_LEVEL": "loud"}, "JOB_LOG_LEVEL"),
        ({"JOB_BROKER": "amqp://guest@rabbit.internal//"}, "JOB_BROKER"),
        ({"JOB_BROKER": "redis://"}, "JOB_BROKER"),
        ({"JOB_BROKER": "redis://queue.internal:port/0"}, "JOB_BROKER"),
        ({"JOB_BROKER": "redis://queue.internal:6379/jobs"}, "JOB_BROKER"),
        ({"JOB_BROKER": "Database"}, "JOB_BROKER"),
        ({"SITE_URL": "commons.example.org"}, "SITE_URL"),
        ({"DIGEST_HOUR": "24"}, "DIGEST_HOUR"),
        ({"DEADLINE_ALERT_DAYS": "14,soon"}, "DEADLINE_ALERT_DAYS"),
        ({"DEADLINE_ALERT_DAYS": ""}, "DEADLINE_ALERT_DAYS"),
        ({"IMPORT_MAX_UPLOAD_BYTES": "20MB"}, "IMPORT_MAX_UPLOAD_BYTES"),
        ({"IMPORT_MAX_UPLOAD_BYTES": "0"}, "IMPORT_MAX_UPLOAD_BYTES"),
        ({"IMPORT_RETENTION_HOURS": "0"}, "IMPORT_RETENTION_HOURS"),
        ({"IMPORT_GEOCODER_URL": "nominatim.example/search"}, "IMPORT_GEOCODER_URL"),
        ({"IMPORT_GEOCODER_TIMEOUT_SECONDS": "0"}, "IMPORT_GEOCODER_TIMEOUT_SECONDS"),
        ({"IMPORT_TIMEOUT_SECONDS": "0"}, "IMPORT_TIMEOUT_SECONDS"),
        ({"IMPORT_TIMEOUT_SECONDS": "3h"}, "IMPORT_TIMEOUT_SECONDS"),
    ],
)
def test_bad_values_stop_start_up_with_a_message_naming_the_variable(env, named):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_production_settings_start_with_a_real_key_and_hosts():
    result = load_settings(DEBUG="off", SECRET_KEY="k" * 50, ALLOWED_HOSTS="commons.example.org")
    assert result.returncode == 0, result.stderr


def test_a_redis_cache_url_selects_redis():
    result = load_settings("s.CACHES['default']['BACKEND']", CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.stdout.strip().endswith("RedisCache"), result.stderr


def test_by_default_jobs_go_through_the_database_and_a_redis_url_selects_the_redis_engine():
    default = load_settings("s.Q_CLUSTER['broker_class']")
    assert default.stdout.strip() == "mapapp.services.jobs.BackoffBroker", default.stderr
    for url in ("redis://queue.internal:6379/2", "rediss://user:secret@queue.internal"):
        chosen = load_settings("s.Q_CLUSTER['broker_class']", JOB_BROKER=url)
        assert chosen.stdout.strip() == "mapapp.services.jobs_redis.RedisBroker", chosen.stderr


def test_the_content_security_policy_admits_the_tile_servers_subdomains():
    result = load_settings(
        "' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        TILE_URL="https://{s}.tiles.example.net/{z}/{x}/{y}.png",
    )
    assert result.stdout.strip() == "'self' data: https://*.tiles.example.net", result.stderr


def test_by_default_limits_are_counted_in_the_database_every_worker_shares():
    result = load_settings("s.CACHES['default']['BACKEND']")
    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache", result.stderr


def test_imports_keep_files_privately_for_three_days_and_geocode_nothing_by_default():
    expression = (
        "s.IMPORT_DIR == s.BASE_DIR / 'var' / 'imports', s.IMPORT_MAX_UPLOAD_BYTES, "
        "s.IMPORT_RETENTION_HOURS, repr(s.IMPORT_GEOCODER_URL), s.IMPORT_GEOCODER_TIMEOUT_SECONDS, "
        "s.IMPORT_TIMEOUT_SECONDS"
    )
    result = load_settings(expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True 20971520 72 '' 5 3600"


def test_import_settings_are_read_from_the_environment(tmp_path):
    expression = (
        "str(s.IMPORT_DIR), s.IMPORT_MAX_UPLOAD_BYTES, s.IMPORT_RETENTION_HOURS, "
        "s.IMPORT_GEOCODER_URL, s.IMPORT_GEOCODER_TIMEOUT_SECONDS, s.IMPORT_TIMEOUT_SECONDS"
    )
    result = load_settings(
        expression,
        IMPORT_DIR=str(tmp_path),
        IMPORT_MAX_UPLOAD_BYTES="1000",
        IMPORT_RETENTION_HOURS="6",
        IMPORT_GEOCODER_URL="https://nominatim.example/search",
        IMPORT_GEOCODER_TIMEOUT_SECONDS="3",
        IMPORT_TIMEOUT_SECONDS="600",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{tmp_path} 1000 6 https://nominatim.example/search 3 600"


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "mysql://maps:s3cret-pass@db.internal/commons"},
        {"DATABASE_URL": "postgis://maps:s3cret-pass@db.internal:notaport/commons"},
        {"DATABASE_URL": "postgis://maps:s3cret-pass@db.internal:5432/"},
        {
            "DATABASE_URL": "postgis://maps@db.internal:5432/commons",
            "DATABASE_REPLICA_URLS": "mysql://maps:s3cret-pass@replica.internal/commons",
        },
        {"CACHE_URL": "memcache://maps:s3cret-pass@cache.internal"},
        {"JOB_BROKER": "amqp://maps:s3cret-pass@rabbit.internal//"},
        {"JOB_BROKER": "redis://:s3cret-pass@queue.internal:port/0"},
        # Passwords with an "@", a "/", a backslash or quotes in them.
        {"DATABASE_URL": "mysql://maps:s3cret-pass@x@db.internal/commons"},
        {"DATABASE_URL": "postgis://maps:s3cret-pass/x@db.internal/commons"},
        {"DATABASE_URL": "mysql://maps:s3cret-pass\\x@db.internal/commons"},
        {"DATABASE_URL": "mysql://maps:s3cret-pass'x\"@db.internal/commons"},
        {"CACHE_URL": "memcache://maps:s3cret-pass@x@cache.internal"},
    ],
)
def test_a_refused_url_is_named_without_its_password(env):
    result = load_settings(**env)
    assert result.returncode != 0
    name = list(env)[-1]
    last = result.stderr.strip().splitlines()[-1]
    assert name in last and "***" in last
    for part in ("s3cret", "-pass", "@x", "/x", "\\x", "'x"):
        assert part not in result.stderr, part
    # Only the password is blanked: the rest of the message is whole.
    assert ":***@" in last and ".internal" in last
