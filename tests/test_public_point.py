import pytest
from django.contrib.gis.geos import Point

from mapapp import services
from mapapp.location import public_point_for

SPOTS = [(-2.5879, 51.4545), (-0.0553, 51.545), (-4.2518, 55.8642), (1.2974, 52.6309)]


def distance_m(a, b):
    # Geodesic distance in metres, computed by GEOS on a local projection.
    a, b = a.transform(27700, clone=True), b.transform(27700, clone=True)
    return a.distance(b)


def test_an_exact_entry_publishes_its_own_point(make_entry):
    entry = make_entry(precision="exact")
    assert entry.public_point.coords == entry.location.coords


@pytest.mark.parametrize("lon,lat", SPOTS)
def test_an_approximate_point_moves_a_few_hundred_metres(lon, lat):
    exact = Point(lon, lat, srid=4326)
    public = public_point_for(exact, "approximate")
    assert public.coords != exact.coords
    assert 190 <= distance_m(exact, public) <= 510


def test_the_approximate_offset_is_stable_for_one_location():
    exact = Point(-1.5491, 53.8008, srid=4326)
    assert public_point_for(exact, "approximate") == public_point_for(exact, "approximate")


def test_nearby_locations_get_unrelated_offsets():
    a = public_point_for(Point(-1.5491, 53.8008, srid=4326), "approximate")
    b = public_point_for(Point(-1.5492, 53.8008, srid=4326), "approximate")
    assert distance_m(a, b) > 1


@pytest.mark.parametrize("lon,lat", SPOTS)
def test_an_area_point_is_the_centre_of_a_coarse_grid_cell(lon, lat, settings):
    exact = Point(lon, lat, srid=4326)
    public = public_point_for(exact, "area")
    assert public.coords != exact.coords
    size = settings.AREA_GRID_DEGREES
    assert abs(public.x - exact.x) <= size / 2 + 1e-9
    assert abs(public.y - exact.y) <= size / 2 + 1e-9


def test_neighbours_in_one_cell_share_the_area_point():
    a = public_point_for(Point(-2.591, 51.452, srid=4326), "area")
    b = public_point_for(Point(-2.585, 51.455, srid=4326), "area")
    assert a == b


def test_an_exact_point_on_a_cell_centre_is_still_not_published():
    exact = Point(0.01, 51.01, srid=4326)  # the centre of its 0.02° cell
    assert public_point_for(exact, "area").coords != exact.coords


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_withheld_entries_store_a_public_point_different_from_the_exact_one(make_entry, precision):
    entry = make_entry(precision=precision)
    entry.refresh_from_db()
    assert entry.public_point.coords != entry.location.coords


def test_changing_precision_recomputes_the_public_point(make_entry):
    entry = make_entry(precision="exact")
    entry = services.entry_update(entry=entry, data={"precision": "area"}, expected_version=1)
    assert entry.public_point.coords != entry.location.coords
    entry = services.entry_update(entry=entry, data={"precision": "exact"}, expected_version=2)
    assert entry.public_point.coords == entry.location.coords
