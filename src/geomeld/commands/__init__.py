"""CLI verb modules. Each module defines ``register(app: typer.Typer) -> None``.

Add a module's name to :data:`COMMAND_MODULES` to expose its verbs under ``geomeld``.
"""

COMMAND_MODULES: tuple[str, ...] = ("registry", "evaluate", "build", "caption", "io", "train", "preview", "sample", "demo")
