"""The modality registry: the single source of truth for every GeoMeld modality.

Every other module asks this table for band names, dtypes, shapes, no-data conventions, resampling
kinds, model task types and class tables. Nothing else in geomeld may hard-code a list of modalities
or bands: iterate :data:`MODALITIES`, pick a :class:`Layout`, or filter with the helpers below.

Released-schema facts (keys, shapes, dtypes, band names) follow the GeoMeld dataset card; where the
release is silent (units, no-data values, Dynamic World encoding) the choice is ours and is written
here once, with the reason in the docstring of the entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType

import numpy as np

GRID_SIZE_10M = 128
"""Pixels per side of the shared 10 m grid (1280 m)."""
GRID_PIXEL_M = 10.0
NAIP_SIZE_1M = 1280
"""Pixels per side of the NAIP 1 m grid (same 1280 m footprint)."""
NAIP_PIXEL_M = 1.0
TILE_SIZE_M = GRID_SIZE_10M * GRID_PIXEL_M
METADATA_KEY = "metadata"
SCHEMA_VERSION = "geomeld-1"


class Resampling(StrEnum):
    """How a layer is brought onto the tile grid."""

    CONTINUOUS = "continuous"  # bilinear when resampling, mean when aggregating
    CATEGORICAL = "categorical"  # nearest when up-/same-sampling, mode when downsampling


class Task(StrEnum):
    """What GeoMeld-FM does with a modality."""

    INPUT_AND_REGRESSION = "input_and_regression"  # encoder input, also reconstructed (MAE)
    REGRESSION = "regression"  # pixel-wise regression decoder
    SEGMENTATION = "segmentation"  # pixel-wise classification decoder
    NONE = "none"  # stored and shown, not a pretraining target


@dataclass(frozen=True)
class Band:
    """One band of a modality."""

    name: str
    description: str = ""
    wavelength_nm: float | None = None
    native_gsd_m: float | None = None
    valid_min: float | None = None
    valid_max: float | None = None


@dataclass(frozen=True)
class ClassTable:
    """A categorical legend: stored code → class name and colour.

    ``codes`` are the values stored in the file; the model predicts the *index* of a code in this
    table (0 … n-1). ``nodata`` is the stored code that means "unknown" and is ignored by losses.
    """

    name: str
    codes: tuple[int, ...]
    names: tuple[str, ...]
    colors: tuple[str, ...]
    nodata: int

    def __post_init__(self) -> None:
        if not len(self.codes) == len(self.names) == len(self.colors):
            raise ValueError(f"class table {self.name}: codes, names and colors differ in length")
        if self.nodata in self.codes:
            raise ValueError(f"class table {self.name}: no-data code {self.nodata} is also a class code")

    @property
    def num_classes(self) -> int:
        return len(self.codes)

    @cached_property
    def code_to_index(self) -> np.ndarray:
        """A 256-entry lookup table: stored uint8 code → class index, -1 for no-data/unknown codes."""
        lut = np.full(256, -1, dtype=np.int64)
        for index, code in enumerate(self.codes):
            lut[code] = index
        return lut

    def name_of(self, code: int) -> str:
        return self.names[self.codes.index(code)]

    def is_allowed(self, values: np.ndarray) -> np.ndarray:
        """Boolean mask of values that are a class code or the no-data code."""
        allowed = np.zeros(256, dtype=bool)
        allowed[list(self.codes)] = True
        allowed[self.nodata] = True
        v = np.asarray(values)
        inside = (v >= 0) & (v < 256)
        result = np.zeros(v.shape, dtype=bool)
        result[inside] = allowed[v[inside].astype(np.int64)]
        return result


ESA_WORLDCOVER_CLASSES = ClassTable(
    name="esa_worldcover",
    codes=(10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100),
    names=(
        "Tree cover",
        "Shrubland",
        "Grassland",
        "Cropland",
        "Built-up",
        "Bare / sparse vegetation",
        "Snow and ice",
        "Permanent water bodies",
        "Herbaceous wetland",
        "Mangroves",
        "Moss and lichen",
    ),
    # The official ESA WorldCover v100/v200 legend colours.
    colors=(
        "#006400",
        "#ffbb22",
        "#ffff4c",
        "#f096ff",
        "#fa0000",
        "#b4b4b4",
        "#f0f0f0",
        "#0064c8",
        "#0096a0",
        "#00cf75",
        "#fae6a0",
    ),
    nodata=0,
)

DYNAMIC_WORLD_CLASSES = ClassTable(
    name="dynamic_world",
    codes=(0, 1, 2, 3, 4, 5, 6, 7, 8),
    names=(
        "water",
        "trees",
        "grass",
        "flooded_vegetation",
        "crops",
        "shrub_and_scrub",
        "built",
        "bare",
        "snow_and_ice",
    ),
    # The official Dynamic World V1 palette.
    colors=(
        "#419bdf",
        "#397d49",
        "#88b053",
        "#7a87c6",
        "#e49635",
        "#dfc35a",
        "#c4281b",
        "#a59b8f",
        "#b39fe1",
    ),
    # Our choice (the release does not say): keep the product's own indices 0…8 and reserve 255.
    nodata=255,
)


@dataclass(frozen=True)
class Modality:
    """Everything geomeld knows about one GeoMeld HDF5 key."""

    key: str
    title: str
    bands: tuple[Band, ...]
    dtype: np.dtype
    size: int  # pixels per side
    pixel_m: float
    units: str
    scale: float  # physical value = stored value × scale
    nodata: float | int | None  # NaN for float layers; a reserved code for label layers
    resampling: Resampling
    task: Task
    classes: ClassTable | None = None
    nan_allowed: bool = False
    description: str = ""

    @property
    def band_names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.bands)

    @property
    def num_bands(self) -> int:
        return len(self.bands)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.num_bands, self.size, self.size)

    @property
    def is_categorical(self) -> bool:
        return self.classes is not None

    @property
    def is_float(self) -> bool:
        return bool(np.issubdtype(self.dtype, np.floating))

    @property
    def is_pretraining_target(self) -> bool:
        return self.task is not Task.NONE

    def band(self, name: str) -> Band:
        for b in self.bands:
            if b.name == name:
                return b
        raise KeyError(f"modality {self.key!r} has no band {name!r}; bands are {list(self.band_names)}")

    def band_indices(self, names: Iterable[str]) -> list[int]:
        order = self.band_names
        out = []
        for n in names:
            if n not in order:
                raise KeyError(f"modality {self.key!r} has no band {n!r}; bands are {list(order)}")
            out.append(order.index(n))
        return out

    def valid_mask(self, array: np.ndarray) -> np.ndarray:
        """Per-pixel validity (same shape as ``array``): False where the value means no-data."""
        a = np.asarray(array)
        valid = np.isfinite(a) if self.is_float else np.ones(a.shape, dtype=bool)
        if self.nodata is not None and not (isinstance(self.nodata, float) and np.isnan(self.nodata)):
            valid &= a != self.nodata
        return valid

    def empty(self, band_names: Iterable[str] | None = None) -> np.ndarray:
        """An array of this modality filled entirely with the no-data value."""
        n = self.num_bands if band_names is None else len(list(band_names))
        fill = self.nodata if self.nodata is not None else 0
        return np.full((n, self.size, self.size), fill, dtype=self.dtype)


def _s2_band(name: str, wavelength: float, gsd: float, description: str) -> Band:
    return Band(
        name, description, wavelength_nm=wavelength, native_gsd_m=gsd, valid_min=0.0, valid_max=65535.0
    )


SENTINEL2_BANDS = (
    _s2_band("B1", 442.7, 60, "coastal aerosol"),
    _s2_band("B2", 492.4, 10, "blue"),
    _s2_band("B3", 559.8, 10, "green"),
    _s2_band("B4", 664.6, 10, "red"),
    _s2_band("B5", 704.1, 20, "red edge 1"),
    _s2_band("B6", 740.5, 20, "red edge 2"),
    _s2_band("B7", 782.8, 20, "red edge 3"),
    _s2_band("B8", 832.8, 10, "near infrared"),
    _s2_band("B8A", 864.7, 20, "narrow near infrared"),
    _s2_band("B9", 945.1, 60, "water vapour"),
    _s2_band("B11", 1613.7, 20, "short-wave infrared 1"),
    _s2_band("B12", 2202.4, 20, "short-wave infrared 2"),
)


def _s1_bands() -> tuple[Band, ...]:
    out = []
    for orbit in ("asc", "desc"):
        for pol in ("VV", "VH", "HH", "HV"):
            out.append(
                Band(
                    f"{pol}_{orbit}",
                    f"{pol} backscatter, {'ascending' if orbit == 'asc' else 'descending'} orbit, dB",
                    native_gsd_m=10,
                    valid_min=-80.0,
                    valid_max=50.0,
                )
            )
    return tuple(out)


_MODALITY_LIST: tuple[Modality, ...] = (
    Modality(
        key="sentinel2",
        title="Sentinel-2",
        bands=SENTINEL2_BANDS,
        dtype=np.dtype("float32"),
        size=GRID_SIZE_10M,
        pixel_m=GRID_PIXEL_M,
        units="surface reflectance × 10 000 (harmonised to processing baseline < 04.00)",
        scale=1e-4,
        nodata=float("nan"),
        nan_allowed=True,
        resampling=Resampling.CONTINUOUS,
        task=Task.INPUT_AND_REGRESSION,
        description="Sentinel-2 L2A, 12 bands (no B10), the only encoder input of GeoMeld-FM.",
    ),
    Modality(
        key="sentinel1",
        title="Sentinel-1",
        bands=_s1_bands(),
        dtype=np.dtype("float32"),
        size=GRID_SIZE_10M,
        pixel_m=GRID_PIXEL_M,
        units="backscatter σ⁰ in dB",
        scale=1.0,
        nodata=float("nan"),
        nan_allowed=True,
        resampling=Resampling.CONTINUOUS,
        task=Task.REGRESSION,
        description="4 polarisations × ascending/descending; missing polarisations/orbits are NaN.",
    ),
    Modality(
        key="aster",
        title="Elevation and slope",
        bands=(
            Band("elevation", "terrain height, metres", native_gsd_m=30, valid_min=-500.0, valid_max=9000.0),
            Band("slope", "terrain slope, degrees", native_gsd_m=30, valid_min=0.0, valid_max=90.0),
        ),
        dtype=np.dtype("float32"),
        size=GRID_SIZE_10M,
        pixel_m=GRID_PIXEL_M,
        units="metres / degrees",
        scale=1.0,
        nodata=float("nan"),
        nan_allowed=True,
        resampling=Resampling.CONTINUOUS,
        task=Task.REGRESSION,
        description="Key name from the release; geomeld fills it from Copernicus DEM GLO-30 by default.",
    ),
    Modality(
        key="canopy_height",
        title="Canopy height",
        bands=(
            Band("height", "canopy top height, metres", native_gsd_m=10, valid_min=0.0, valid_max=120.0),
            Band(
                "stddev", "height standard deviation, metres", native_gsd_m=10, valid_min=0.0, valid_max=120.0
            ),
        ),
        dtype=np.dtype("float32"),
        size=GRID_SIZE_10M,
        pixel_m=GRID_PIXEL_M,
        units="metres",
        scale=1.0,
        nodata=float("nan"),
        nan_allowed=True,
        resampling=Resampling.CONTINUOUS,
        task=Task.REGRESSION,
    ),
    Modality(
        key="esa_worldcover",
        title="ESA WorldCover",
        bands=(Band("esa_label", "ESA WorldCover class code"),),
        dtype=np.dtype("uint8"),
        size=GRID_SIZE_10M,
        pixel_m=GRID_PIXEL_M,
        units="class code",
        scale=1.0,
        nodata=ESA_WORLDCOVER_CLASSES.nodata,
        resampling=Resampling.CATEGORICAL,
        task=Task.SEGMENTATION,
        classes=ESA_WORLDCOVER_CLASSES,
    ),
    Modality(
        key="dynamic_world",
        title="Dynamic World",
        bands=(Band("dw_label", "Dynamic World label index"),),
        dtype=np.dtype("uint8"),
        size=GRID_SIZE_10M,
        pixel_m=GRID_PIXEL_M,
        units="class index",
        scale=1.0,
        nodata=DYNAMIC_WORLD_CLASSES.nodata,
        resampling=Resampling.CATEGORICAL,
        task=Task.SEGMENTATION,
        classes=DYNAMIC_WORLD_CLASSES,
    ),
    Modality(
        key="naip",
        title="NAIP",
        bands=(
            Band("R", "red", native_gsd_m=1, valid_min=0.0, valid_max=65535.0),
            Band("G", "green", native_gsd_m=1, valid_min=0.0, valid_max=65535.0),
            Band("B", "blue", native_gsd_m=1, valid_min=0.0, valid_max=65535.0),
        ),
        dtype=np.dtype("uint16"),
        size=NAIP_SIZE_1M,
        pixel_m=NAIP_PIXEL_M,
        units="8-bit digital number stored as uint16",
        scale=1.0 / 255.0,
        nodata=None,
        resampling=Resampling.CONTINUOUS,
        task=Task.NONE,
        description="US only, 1 m RGB on the same 1280 m footprint.",
    ),
)

MODALITIES: Mapping[str, Modality] = MappingProxyType({m.key: m for m in _MODALITY_LIST})
"""Every GeoMeld modality by HDF5 key, in the release's order."""


def get_modality(key: str) -> Modality:
    try:
        return MODALITIES[key]
    except KeyError:
        raise KeyError(f"unknown modality {key!r}; known modalities are {list(MODALITIES)}") from None


@dataclass(frozen=True)
class Layout:
    """A released sample layout: which modalities a sample holds and which bands of each.

    The NAIP subset is a layout, not an ``if``: its ``sentinel2`` holds the nine non-RGB bands.
    """

    name: str
    shard_suffix: str  # file name ending of its shards, e.g. "_n.tar"
    band_selection: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    file_type_naip: bool = False
    description: str = ""

    @property
    def modality_keys(self) -> tuple[str, ...]:
        return tuple(self.band_selection)

    def modalities(self) -> list[Modality]:
        return [MODALITIES[k] for k in self.band_selection]

    def bands(self, key: str) -> tuple[str, ...]:
        if key not in self.band_selection:
            raise KeyError(
                f"layout {self.name!r} has no modality {key!r}; it has {list(self.band_selection)}"
            )
        return self.band_selection[key]

    def shape(self, key: str) -> tuple[int, int, int]:
        m = MODALITIES[key]
        return (len(self.bands(key)), m.size, m.size)

    def band_names(self) -> dict[str, list[str]]:
        """The ``metadata.band_names`` record of this layout."""
        return {k: list(v) for k, v in self.band_selection.items()}


def _all_bands(*keys: str, **overrides: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {k: overrides.get(k, MODALITIES[k].band_names) for k in keys}


_TEN_METRE_KEYS = tuple(m.key for m in _MODALITY_LIST if m.size == GRID_SIZE_10M)

LAYOUTS: Mapping[str, Layout] = MappingProxyType(
    {
        "standard": Layout(
            name="standard",
            shard_suffix=".tar",
            band_selection=MappingProxyType(_all_bands(*_TEN_METRE_KEYS)),
            description="Non-NAIP samples: every 10 m modality, Sentinel-2 with 12 bands.",
        ),
        "naip": Layout(
            name="naip",
            shard_suffix="_n.tar",
            band_selection=MappingProxyType(
                _all_bands(
                    "naip",
                    *_TEN_METRE_KEYS,
                    sentinel2=tuple(
                        b for b in MODALITIES["sentinel2"].band_names if b not in ("B2", "B3", "B4")
                    ),
                )
            ),
            file_type_naip=True,
            description="Contiguous-US samples: 1 m NAIP RGB, Sentinel-2 without B2–B4 (NAIP stands in).",
        ),
    }
)


def get_layout(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise KeyError(f"unknown layout {name!r}; known layouts are {list(LAYOUTS)}") from None


def layout_for_keys(keys: Iterable[str]) -> Layout:
    """The layout a sample belongs to, judged by its HDF5 keys (a ``naip`` key means the NAIP layout)."""
    present = set(keys)
    for layout in sorted(LAYOUTS.values(), key=lambda lay: -len(lay.band_selection)):
        if set(layout.band_selection) <= present:
            return layout
    return LAYOUTS["standard"]


def pretraining_targets() -> list[Modality]:
    """Modalities GeoMeld-FM reconstructs or segments (one decoder each)."""
    return [m for m in _MODALITY_LIST if m.is_pretraining_target]


def encoder_input() -> Modality:
    """The encoder's input modality."""
    (m,) = [m for m in _MODALITY_LIST if m.task is Task.INPUT_AND_REGRESSION]
    return m


def grid_modalities() -> list[Modality]:
    """Modalities on the shared 10 m grid."""
    return [m for m in _MODALITY_LIST if m.size == GRID_SIZE_10M]


def describe() -> list[dict[str, object]]:
    """A plain, JSON-serialisable description of the registry (for docs and ``geomeld modalities``)."""
    rows: list[dict[str, object]] = []
    for m in _MODALITY_LIST:
        rows.append(
            {
                "key": m.key,
                "title": m.title,
                "bands": list(m.band_names),
                "dtype": str(m.dtype),
                "shape": list(m.shape),
                "pixel_m": m.pixel_m,
                "units": m.units,
                "scale": m.scale,
                "nodata": None if m.nodata is None else ("NaN" if isinstance(m.nodata, float) else m.nodata),
                "resampling": m.resampling.value,
                "task": m.task.value,
                "classes": None
                if m.classes is None
                else [
                    {"code": c, "name": n, "color": col}
                    for c, n, col in zip(m.classes.codes, m.classes.names, m.classes.colors, strict=True)
                ],
            }
        )
    return rows
