"""JSON lists: GeoJSON, uMap maps and layers, GoGoCarto and Karte von morgen (OpenFairDB).

The document is loaded whole (uploads are bounded) and its rows are built as they are read.
Features and elements are numbered from 1 in the order of the file.
"""

import orjson

from .table import ImportFileError, Table, row_from_cells

JSON_MAX_BYTES = 64 * 1024 * 1024
WGS84 = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


def load_json(stream):
    """The JSON document in stream; not UTF-8, not JSON or nested too deep refuses the file."""
    data = stream.read(JSON_MAX_BYTES + 1)
    if len(data) > JSON_MAX_BYTES:
        raise ImportFileError(f"The file is larger than {JSON_MAX_BYTES:,} bytes.")
    try:
        return orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as error:
        raise ImportFileError(_json_problem(data, error)) from None
    except RecursionError:
        raise ImportFileError("The JSON nests lists or objects too deeply to read.") from None


def _json_problem(data, error):
    if "depth" in error.msg:
        return "The JSON nests lists or objects more than 1,024 deep: it is not a list to read."
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return (
            f"The JSON is not UTF-8 text (byte {bad.start:,} is not UTF-8): JSON files must be "
            "UTF-8; export it again."
        )
    return f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."


def json_shape(document) -> str | None:
    """Which list a JSON document is: geojson, umap, gogocarto, openfairdb, or None."""
    if isinstance(document, dict):
        kind = document.get("type")
        if kind == "umap" and isinstance(document.get("layers"), list):
            return "umap"
        if kind == "FeatureCollection":
            return "umap" if "_umap_options" in document else "geojson"
        if kind == "Feature":
            return "geojson"
        if isinstance(document.get("data"), list):
            return "gogocarto"
        if isinstance(document.get("visible"), list):
            return "openfairdb"
    if isinstance(document, list) and document and all(_is_ofdb_entry(e) for e in document):
        return "openfairdb"
    return None


def _is_ofdb_entry(entry):
    return isinstance(entry, dict) and {"lat", "lng", "title"} <= entry.keys()


def read_json(stream, document=None, **_options) -> Table:
    """The Table of a JSON list, read by the reader its shape calls for."""
    document = load_json(stream) if document is None else document
    shape = json_shape(document)
    if shape is None:
        raise ImportFileError(
            "The file is JSON, but not GeoJSON, a uMap export, a GoGoCarto export or a Karte "
            "von morgen (OpenFairDB) list: Commons Map cannot read it."
        )
    return JSON_READERS[shape](document)


def read_geojson(document) -> Table:
    """A GeoJSON FeatureCollection (or one Feature): its properties, and each feature's point."""
    _check_crs(document)
    features = [document] if document.get("type") == "Feature" else _features(document)
    columns = _union(feature.get("properties") for feature in features)
    if any(_feature_id(f) is not None for f in features) and "id" not in columns:
        columns.insert(0, "id")
    return Table("geojson", columns, _feature_rows(features, columns), "utf-8")


def read_umap(document) -> Table:
    """A uMap map (every layer) or one uMap layer, each feature with its layer's name."""
    layers = document["layers"] if document.get("type") == "umap" else [document]
    layers = [layer for layer in layers if isinstance(layer, dict)]
    for layer in layers:
        _check_crs(layer)
    named = [(_layer_name(layer), _features(layer)) for layer in layers]
    features = [feature for _, layer_features in named for feature in layer_features]
    columns = _union(feature.get("properties") for feature in features)
    layer_column = "layer" if "layer" not in columns else "umap layer"
    columns.append(layer_column)
    rows = (
        row
        for name, layer_features in named
        for row in _feature_rows(layer_features, columns, {layer_column: name})
    )
    return Table("umap", columns, _renumbered(rows), "utf-8")


def read_gogocarto(document) -> Table:
    """A GoGoCarto export (/api/elements.json): its elements with geo and address flattened."""
    elements = [_gogocarto_flat(element) for element in _dicts(document["data"], "element")]
    return _flat_table("gogocarto", elements)


def read_openfairdb(document) -> Table:
    """Karte von morgen entries (/v0/entries/...) or search results (visible, then invisible)."""
    if isinstance(document, dict):
        invisible = document.get("invisible")
        entries = document["visible"] + (invisible if isinstance(invisible, list) else [])
    else:
        entries = document
    return _flat_table("openfairdb", list(_dicts(entries, "entry")), lat="lat", lon="lng")


def _features(collection):
    features = collection.get("features")
    if not isinstance(features, list):
        raise ImportFileError("The GeoJSON has no list of features.")
    return [feature if isinstance(feature, dict) else {} for feature in features]


def _check_crs(document):
    # RFC 7946 GeoJSON is in WGS 84; older files may name another system, which we never read.
    name = ((document.get("crs") or {}).get("properties") or {}).get("name")
    if name and name not in WGS84:
        raise ImportFileError(
            f"The GeoJSON's coordinates are in {name}: export it in WGS 84 (EPSG:4326)."
        )


def _union(mappings) -> list[str]:
    columns = {}
    for mapping in mappings:
        if isinstance(mapping, dict):
            columns.update(dict.fromkeys(key for key in mapping if key != "_umap_options"))
    return list(columns)


def _feature_id(feature):
    return feature.get("id")


def _feature_rows(features, columns, extra=None):
    for number, feature in enumerate(features, 1):
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        cells = dict.fromkeys(columns, "")
        cells.update((key, properties[key]) for key in columns if key in properties)
        if "id" not in properties and _feature_id(feature) is not None:
            cells["id"] = _feature_id(feature)
        cells.update(extra or {})
        geometry, problem = _point(feature)
        row = row_from_cells(number, cells, geometry)
        if feature.get("type") != "Feature":
            row.problems.insert(0, "this is not a GeoJSON Feature")
        elif problem:
            row.problems.insert(0, problem)
        yield row


def _point(feature):
    geometry = feature.get("geometry")
    if geometry is None:
        return None, None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind != "Point":
        return None, f"only points can be imported; this is a {kind or 'broken geometry'}"
    coordinates = geometry.get("coordinates")
    if not _is_position(coordinates):
        return None, "the point's coordinates are not [longitude, latitude] numbers"
    return {"type": "Point", "coordinates": [coordinates[0], coordinates[1]]}, None


def _is_position(coordinates):
    return (
        isinstance(coordinates, list)
        and len(coordinates) in (2, 3)
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    )


def _layer_name(layer):
    options = layer.get("_umap_options")
    name = options.get("name") if isinstance(options, dict) else None
    return str(name) if name is not None else ""


def _renumbered(rows):
    for number, row in enumerate(rows, 1):
        row.number = number
        yield row


def _dicts(items, noun):
    if not isinstance(items, list):
        raise ImportFileError(f"The file has no list of {noun}s.")
    return (item if isinstance(item, dict) else {} for item in items)


def _gogocarto_flat(element):
    geo = element.get("geo") if isinstance(element.get("geo"), dict) else {}
    address = element.get("address") if isinstance(element.get("address"), dict) else {}
    first = {"id": element.get("id"), "name": element.get("name")}
    first.update(latitude=geo.get("latitude"), longitude=geo.get("longitude"), **address)
    rest = {k: v for k, v in element.items() if k not in ("geo", "address") and k not in first}
    return first | rest


def _flat_table(format_name, items, *, lat="latitude", lon="longitude"):
    columns = _union(items)
    return Table(format_name, columns, _flat_rows(items, columns, lat, lon), "utf-8")


def _flat_rows(items, columns, lat, lon):
    for number, item in enumerate(items, 1):
        cells = dict.fromkeys(columns, "")
        cells.update(item)
        position = [item.get(lon), item.get(lat)]
        geometry = {"type": "Point", "coordinates": position} if _is_position(position) else None
        yield row_from_cells(number, cells, geometry)


JSON_READERS = {
    "geojson": read_geojson,
    "umap": read_umap,
    "gogocarto": read_gogocarto,
    "openfairdb": read_openfairdb,
}
