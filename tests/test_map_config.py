"""The map config pages hand their scripts is the one source of tile settings and colours."""

import json
import re
from pathlib import Path

from mapapp.models import Category

SCRIPTS = Path(__file__).resolve().parent.parent / "static" / "mapapp" / "js"


def page_config(client, url="/"):
    body = client.get(url).content.decode()
    found = re.search(r'id="map-config" type="application/json">(.*?)</script>', body, re.S)
    return json.loads(found[1])


def test_the_map_config_gives_the_model_s_default_category_colour(client, db):
    default = Category._meta.get_field("colour").default
    assert page_config(client)["defaultColour"] == default == "#3b6e8f"


def test_entry_pages_and_forms_get_the_same_tile_settings_as_the_map(client, make_entry):
    entry = make_entry(name="Hulme Community Garden")
    keys = ("tileUrl", "tileAttribution", "maxZoom", "defaultColour")
    home = page_config(client)
    for url in (f"/entries/{entry.slug}/", "/entries/new/"):
        config = page_config(client, url)
        assert {k: config[k] for k in keys} == {k: home[k] for k in keys}, url


def test_no_script_declares_a_category_colour_of_its_own():
    default = Category._meta.get_field("colour").default.lower()
    for script in SCRIPTS.glob("*.js"):
        assert default not in script.read_text().lower(), script.name


def test_every_map_gets_its_tile_layer_from_one_module():
    makers = {s.name for s in SCRIPTS.glob("*.js") if "L.tileLayer(" in s.read_text()}
    users = {s.name for s in SCRIPTS.glob("*.js") if "baseMap(" in s.read_text()}
    assert makers == {"tiles.js"}
    assert {"map.js", "entry.js", "picker.js"} <= users


def test_the_map_finds_the_vector_tiles_and_entry_pages_from_the_urlconf(client, make_entry):
    entry = make_entry(name="Hulme Community Garden")
    config = page_config(client)
    tile = config["apiTile"].format(z=6, x=31, y=20)
    assert tile == "/api/v1/tiles/6/31/20.mvt"
    assert client.get(tile).status_code == 200
    prefix, suffix = config["entryPath"]
    assert client.get(f"{prefix}{entry.slug}{suffix}").status_code == 200
    assert "apiClusters" not in config  # the map draws crowded views from the tiles


def test_the_import_map_runs_under_the_page_s_nonce_and_names_our_own_static_files(client, db):
    response = client.get("/")
    body = response.content.decode()
    found = re.search(r'<script type="importmap" nonce="([^"]+)">(.*?)</script>', body, re.S)
    assert found, "the map page has no import map"
    nonce, imports = found[1], json.loads(found[2])["imports"]
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert set(imports) == {"pbf", "@mapbox/vector-tile", "@mapbox/point-geometry"}
    for url in imports.values():
        assert url.startswith("/static/vendor/") and url.endswith(".js"), url
        assert client.get(url).status_code == 200
    assert body.index('type="importmap"') < body.index('type="module"')
