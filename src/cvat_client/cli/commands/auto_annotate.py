"""``task auto-annotate``: run an auto-annotation function on this machine over a task.

The function comes from a module (``--function-module``) or a Python file
(``--function-file``). When the module has a ``create`` factory, it is called with the
``-p NAME=TYPE:VALUE`` parameters (types ``int``, ``float``, ``str``, ``bool``);
otherwise the module itself is the function.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import click

from cvat_client.cli.errors import CliError
from cvat_client.cli.state import CliState, pass_state

__all__ = ["auto_annotate", "load_function", "parse_parameter"]

_TRUE = {"true", "t", "yes", "y", "on", "1"}
_FALSE = {"false", "f", "no", "n", "off", "0"}


def parse_parameter(text: str) -> tuple[str, Any]:
    """``NAME=TYPE:VALUE`` as ``(name, value)``, the value converted to its type.

    Raises:
        click.BadParameter: no ``=``, no ``:``, an unknown type or a value not of the type.
    """
    name, sep, typed = text.partition("=")
    if not sep:
        raise click.BadParameter("parameter value not specified")
    kind, sep, value = typed.partition(":")
    if not sep:
        raise click.BadParameter("parameter type not specified")
    try:
        if kind == "int":
            return name, int(value)
        if kind == "float":
            return name, float(value)
        if kind == "str":
            return name, value
        if kind == "bool":
            lowered = value.lower()
            if lowered in _TRUE:
                return name, True
            if lowered in _FALSE:
                return name, False
            raise ValueError(f"Cannot convert value to bool: {value!r}")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    raise click.BadParameter(f"unsupported parameter type {kind!r}")


def _parameters(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Any]:
    return dict(parse_parameter(value) for value in values)


def _threshold(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise click.BadParameter("must be a number") from None
    if not 0 <= number <= 1:
        raise click.BadParameter("must be between 0 and 1")
    return number


def load_function(module: str | None, file: Path | None, parameters: dict[str, Any]) -> Any:
    """The function of a module or file: ``create(**parameters)`` if it has that factory.

    Raises:
        BadFunctionError: the result has no ``spec``.
        TypeError: parameters were given to a module without ``create``.
    """
    from cvat_client.auto_annotation import BadFunctionError

    if module is not None:
        loaded: Any = importlib.import_module(module)
    else:
        assert file is not None
        spec = importlib.util.spec_from_file_location("__cvat_function__", file)
        if spec is None or spec.loader is None:
            raise CliError(f"Cannot load a Python module from {file}")
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
    if hasattr(loaded, "create"):
        function = loaded.create(**parameters)
    elif parameters:
        raise TypeError("function takes no parameters")
    else:
        function = loaded
    if not hasattr(function, "spec"):
        raise BadFunctionError("function has no 'spec' attribute")
    return function


@click.command("auto-annotate")
@click.argument("task_id", type=int)
@click.option(
    "--function-module", metavar="MODULE", help="Qualified name of a module to use as the function."
)
@click.option(
    "--function-file",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Path to a Python source file to use as the function.",
)
@click.option(
    "--function-parameter",
    "-p",
    "function_parameters",
    metavar="NAME=TYPE:VALUE",
    multiple=True,
    callback=_parameters,
    help="A parameter for the function's create() (TYPE: int, float, str, bool). Repeatable.",
)
@click.option("--clear-existing", is_flag=True, help="Remove existing annotations from the task.")
@click.option(
    "--allow-unmatched-labels",
    is_flag=True,
    help="Allow the function to declare labels/sublabels/attributes not configured in the task.",
)
@click.option(
    "--conf-threshold",
    metavar="X",
    callback=_threshold,
    help="Confidence threshold for filtering detections (0 to 1).",
)
@click.option("--conv-mask-to-poly", is_flag=True, help="Convert mask shapes to polygon shapes.")
@pass_state
def auto_annotate(
    state: CliState,
    task_id: int,
    function_module: str | None,
    function_file: Path | None,
    function_parameters: dict[str, Any],
    clear_existing: bool,
    allow_unmatched_labels: bool,
    conf_threshold: float | None,
    conv_mask_to_poly: bool,
) -> None:
    """Annotate task TASK_ID automatically by running a function on this machine.

    Give the function with exactly one of --function-module and --function-file.
    """
    if (function_module is None) == (function_file is None):
        raise click.UsageError("give exactly one of --function-module and --function-file")
    from cvat_client.auto_annotation import (
        AutoAnnotationUploadError,
        BadFunctionError,
        annotate_task,
    )

    try:
        function = load_function(function_module, function_file, function_parameters)
        annotate_task(
            state.client(),
            task_id,
            function,
            pbar=state.reporter("Annotating"),
            clear_existing=clear_existing,
            allow_unmatched_labels=allow_unmatched_labels,
            conf_threshold=conf_threshold,
            conv_mask_to_poly=conv_mask_to_poly,
        )
    except BadFunctionError as exc:
        raise CliError(f"Bad function: {exc.message}") from None
    except AutoAnnotationUploadError as exc:
        raise CliError(exc.message) from None
    state.output.done(f"Annotated task #{task_id}", {"id": task_id})
