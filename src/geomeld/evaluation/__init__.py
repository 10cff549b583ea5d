"""GeoMeld-FM evaluation: GEO-Bench linear probe / fine-tuning, real mini-benchmarks, retrieval R@k and
cross-sensor robustness, in one harness driven by a YAML config (``geomeld evaluate --config …``).

Modules: :mod:`.geobench` (GEO-Bench v1 reader), :mod:`.bands` (band alignment + missing-band rule),
:mod:`.tasks` (task splits), :mod:`.preprocess` (conditions, normalisation), :mod:`.protocols`
(LP / FT / baselines), :mod:`.metrics` (micro-F1, micro accuracy, macro mIoU, bootstrap),
:mod:`.retrieval`, :mod:`.runner`, :mod:`.report`. The real mini-benchmarks are built by
``tools/minibench_build.py`` (maintainer tooling, outside the package).

Running on the real GEO-Bench (users who have the data)
------------------------------------------------------
1. Download GEO-Bench v1 (``pip install geo-benchmark && geobench-download`` in *another* environment;
   geomeld does not depend on the ``geobench`` package) and point ``GEO_BENCH_DIR`` at its root::

       $GEO_BENCH_DIR/classification_v1.0/m-bigearthnet/{task_specs.pkl, band_stats.json,
           default_partition.json, 0.01x_train_partition.json, …, <sample>.hdf5}
       $GEO_BENCH_DIR/classification_v1.0/m-so2sat/…
       $GEO_BENCH_DIR/segmentation_v1.0/m-cashew-plant/…        # the paper's "Cashew1K"
       $GEO_BENCH_DIR/segmentation_v1.0/m-SA-crop-type/…

   (``task.path`` in the config may point at any single task folder instead.)
2. Run::

       export GEO_BENCH_DIR=/data/geobench
       geomeld evaluate -c configs/eval/geobench.yaml -e geomeld-fm=runs/pretrain/encoder

   ``results.json``, ``results.md`` (the paper's table layout) and PNG plots land in the config's
   ``output``. Partitions (``default``, ``0.01x_train`` …) are chosen per task with ``partition:``.

Missing bands (So2Sat lacks B1/B9; B10 is never an input) follow ``missing_bands`` in the config:
``duplicate`` (spectrally nearest band, MMEarth's rule: B1←B2, B9←B8A), ``zero`` (0 after
normalisation, marked absent) or ``error``; the rule and each fill are written into the report.
m-eurosat and m-brick-kiln are refused (their published band names are wrong: geo-bench #28/#29).

Cross-sensor robustness protocol (published with every report)
---------------------------------------------------------------
The probe (``robustness.protocol``, default the linear probe) and the raw-band baseline are trained
on the task's clean input; only the *test* split is perturbed, in raw DN (Sentinel-2 values after band alignment):

============== =====================================================================================
clean          the task's own input (score S₀)
s2_10m_rgbn    only B2, B3, B4, B8 observed (10 m bands = RGB+NIR, NAIP/Planet-like); others absent
rgb            only B2, B3, B4
landsat8_like  only B2, B3, B4, B8A, B11, B12 (Landsat-8 OLI-like); others absent
offset_1000    +1000 DN on every band (processing baseline ≥ 04.00 offset left in)
noise          additive Gaussian noise, σ = ``noise_dn`` (default 100 DN = 0.01 reflectance)
missing_<B>    one band (``missing_band``, default B8) absent
s1_missing     Sentinel-1 absent (no acquisition), S2 clean           ┐ tasks with Sentinel-1 bands
s1_speckle     every S1 value × Gamma(L, 1/L), L = ``s1_looks`` (4)   │ (m-so2sat); scored on the
s1_only        every S2 band absent (clouds), S1 only                 ┘ model that reads S1
l1c_…          L1C input instead of L2A — needs a scene available as both; none exists in the
               shipped data (BigEarthNet/PASTIS are L2A, Brandenburg is L1C), so it is reported
               as not testable rather than simulated
============== =====================================================================================

"Absent" bands follow ``missing_bands`` (neighbour duplication or 0 after normalisation); offsets and
noise touch Sentinel-2 values only. geomeld encoders read Sentinel-2 only, so the Sentinel-1
conditions are measured on the ``raw_bands_s1`` baseline (per-band statistics of the S2 *and* S1
bands + logistic regression; ``baselines: [raw_bands, raw_bands_s1]``); S2-only models get an
"n/a" row saying why (unaffected by construction / cannot predict without S2). Each row reports the
score under the condition (mean over seeds, 95 % interval) and the **absolute** drop ``S₀ − S`` in
points — the mean of the per-seed drops, with a paired bootstrap interval that resamples test units
and seeds together — per model and condition, for every seed of the robustness protocol; unlike
conditions are never averaged.

Normalisation, statistics, resume
---------------------------------
Each task is normalised with its own statistics (GEO-Bench ``band_stats.json``; the training split for
the mini-benchmarks) unless ``normalisation: encoder``; the choice is written per task and encoder.
Every reported value is the mean over seeds with the 95 % interval of that mean (bootstrap over test
units and seeds); n < 30 is flagged "too few to compare"; ``paired`` holds paired-bootstrap
differences between encoders on the same test units. Cells (task × encoder × protocol × seed) are
stored as they finish (``cells.jsonl``); ``geomeld evaluate --resume`` skips finished ones.

Outside checkpoints
-------------------
``kind: imported`` encoders load timm, official ConvNeXt V2 / FCMAE or MMEarth weights through
:mod:`geomeld.models.convnextv2_import` (stem rule recorded in the report), e.g. the paper's
"ImageNet" and "MMEarth (MP-MAE)" baseline rows.
"""
