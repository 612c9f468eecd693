"""Bounding-box reads use the spatial index on both databases."""

import re

from django.db import connection

from mapapp.models import Entry

BRISTOL = (-2.7, 51.4, -2.5, 51.5)


def query_plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")  # a tiny table would otherwise be scanned
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
        return plan


def test_in_bbox_returns_only_entries_inside_the_box(make_entry):
    inside = make_entry(lon=-2.59, lat=51.45)
    make_entry(lon=-1.55, lat=53.80)  # Leeds
    make_entry(lon=-2.4999, lat=51.45)  # just east of the box
    assert list(Entry.objects.in_bbox(BRISTOL)) == [inside]


def test_in_bbox_includes_points_on_the_edge(make_entry):
    edge = make_entry(lon=-2.5, lat=51.4)
    assert list(Entry.objects.in_bbox(BRISTOL)) == [edge]


def test_in_bbox_uses_the_public_point_not_the_exact_location(make_entry):
    # An area entry whose exact point is just inside the box but whose public cell centre is not.
    entry = make_entry(lon=-2.5001, lat=51.45, precision="area")
    inside = entry.public_point.x <= -2.5
    assert Entry.objects.in_bbox(BRISTOL).exists() == inside


def test_the_bbox_query_plan_uses_the_spatial_index(make_entry):
    make_entry()
    plan = query_plan(Entry.objects.published().in_bbox(BRISTOL))
    if connection.vendor == "sqlite":
        assert "idx_mapapp_entry_public_point" in plan, plan
        assert "VIRTUAL TABLE INDEX" in plan, plan
    else:
        assert re.search(r"Index Scan using mapapp_entry_public_point_\w+_id", plan), plan
        assert "public_point && " in plan, plan


def test_the_spatial_index_survives_migrations_and_follows_writes(make_entry):
    """SQLite rebuilds tables in migrations; the R*Tree must stay attached and current."""
    from mapapp import services

    entry = make_entry(lon=-2.59, lat=51.45)
    assert list(Entry.objects.in_bbox(BRISTOL)) == [entry]
    from django.contrib.gis.geos import Point

    services.entry_update(
        entry=entry, data={"location": Point(-1.55, 53.8, srid=4326)}, expected_version=1
    )
    assert not Entry.objects.in_bbox(BRISTOL).exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT spatial_index_enabled FROM geometry_columns "
                "WHERE f_table_name = 'mapapp_entry' AND f_geometry_column = 'public_point'"
            )
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT count(*) FROM idx_mapapp_entry_public_point")
            assert cursor.fetchone()[0] == Entry.objects.count()


def test_the_search_index_triggers_survive_migrations(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'mapapp_entry_fts_%'"
            )
            assert {row[0] for row in cursor.fetchall()} == {
                "mapapp_entry_fts_ai",
                "mapapp_entry_fts_ad",
                "mapapp_entry_fts_au",
            }
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'entry_search_gin'")
            assert cursor.fetchone()
