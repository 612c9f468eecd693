"""The map page benchmark serves the data set it names, with its caches on or off."""

from bench.bench_map import server_environment

NATIONAL = "postgis://postgres@127.0.0.1:5432/commons_bench_national"


def test_the_national_map_is_served_from_the_same_postgis_database_with_caches_on_or_off(
    monkeypatch,
):
    monkeypatch.setenv("BENCH_DATABASE_URL", NATIONAL)
    deployed = server_environment(national=True, caches_off=False)
    off = server_environment(national=True, caches_off=True)
    assert deployed["DATABASE_URL"] == off["DATABASE_URL"] == NATIONAL


def test_only_caches_off_sets_the_cache_lifetimes_to_zero(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", NATIONAL)
    lifetimes = {"API_CACHE_SECONDS", "VECTOR_TILE_CACHE_SECONDS"}
    assert lifetimes.isdisjoint(server_environment(national=True))
    off = server_environment(national=True, caches_off=True)
    assert {name: off[name] for name in lifetimes} == dict.fromkeys(lifetimes, "0")


def test_the_city_map_is_served_from_spatialite():
    assert server_environment()["DATABASE_URL"].startswith("spatialite://")
