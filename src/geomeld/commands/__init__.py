"""CLI verb modules. Each module defines ``register(app: typer.Typer) -> None``.

Add a module's name to :data:`COMMAND_MODULES` to expose its verbs under ``geomeld``.
"""

# Registration order is the order `geomeld --help` lists the verbs in: the demo, then the pipeline's flow.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "registry",
    "sample",
    "build",
    "catalog",
    "caption",
    "io",
    "train",
    "evaluate",
    "preview",
)
