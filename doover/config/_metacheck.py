"""Check that a document is a well-formed JSON Schema (draft 2020-12) without third-party packages.

:func:`check_json_schema` uses ``jsonschema``'s draft 2020-12 meta-schema when that package is
importable, and otherwise a structural check of the keywords doover and the platform emit
(types, ``properties``, ``required``, ``enum``, numeric bounds, ``items``, ``allOf``/``if``/
``then``, ``pattern``, ...). Non-standard keywords (``x-*``, ``additionalElements``,
``length``) are allowed, as JSON Schema allows unknown keywords.
"""

import re
from typing import Any, List, Optional, Tuple

__all__ = ["check_json_schema", "structural_errors"]

_TYPES = {"null", "boolean", "object", "array", "number", "integer", "string"}
_SCHEMA_MAP_KEYWORDS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_KEYWORDS = (
    "items", "additionalProperties", "if", "then", "else", "not", "contains",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems",
)
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_COUNT_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties",
                   "maxProperties", "minContains", "maxContains")
_BOOL_KEYWORDS = ("uniqueItems", "deprecated", "readOnly", "writeOnly")
_STRING_KEYWORDS = ("$schema", "$id", "$ref", "$anchor", "title", "description", "format", "$comment")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def structural_errors(schema: Any, pointer: str = "") -> List[str]:
    """Problems found by the structural check, each as ``<JSON pointer>: <problem>``."""
    errors: List[str] = []
    _walk(schema, pointer, errors)
    return errors


def _walk(schema: Any, pointer: str, errors: List[str]) -> None:
    where = pointer or "/"
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        errors.append("{}: a schema must be an object or a boolean".format(where))
        return
    kind = schema.get("type")
    if "type" in schema:
        names = kind if isinstance(kind, list) else [kind]
        if not names or any(not isinstance(n, str) or n not in _TYPES for n in names):
            errors.append("{}/type: {!r} is not a JSON type or list of JSON types".format(pointer, kind))
        elif len(set(names)) != len(names):
            errors.append("{}/type: types must be unique".format(pointer))
    for keyword in _STRING_KEYWORDS:
        if keyword in schema and not isinstance(schema[keyword], str):
            errors.append("{}/{}: must be a string".format(pointer, keyword))
    for keyword in _NUMBER_KEYWORDS:
        if keyword in schema and not _is_number(schema[keyword]):
            errors.append("{}/{}: must be a number".format(pointer, keyword))
    if "multipleOf" in schema:
        step = schema["multipleOf"]
        if not _is_number(step) or step <= 0:
            errors.append("{}/multipleOf: must be a number greater than 0".format(pointer))
    for keyword in _COUNT_KEYWORDS:
        if keyword in schema and not _is_count(schema[keyword]):
            errors.append("{}/{}: must be a non-negative integer".format(pointer, keyword))
    for keyword in _BOOL_KEYWORDS:
        if keyword in schema and not isinstance(schema[keyword], bool):
            errors.append("{}/{}: must be a boolean".format(pointer, keyword))
    if "required" in schema:
        required = schema["required"]
        if not isinstance(required, list) or not all(isinstance(k, str) for k in required):
            errors.append("{}/required: must be an array of strings".format(pointer))
        elif len(set(required)) != len(required):
            errors.append("{}/required: names must be unique".format(pointer))
    if "enum" in schema and not isinstance(schema["enum"], list):
        errors.append("{}/enum: must be an array".format(pointer))
    if "pattern" in schema and isinstance(schema["pattern"], str):
        try:
            re.compile(schema["pattern"])
        except re.error as exc:
            errors.append("{}/pattern: not a valid regular expression ({})".format(pointer, exc))
    elif "pattern" in schema:
        errors.append("{}/pattern: must be a string".format(pointer))
    for keyword in _SCHEMA_MAP_KEYWORDS:
        if keyword in schema:
            value = schema[keyword]
            if not isinstance(value, dict):
                errors.append("{}/{}: must be an object of schemas".format(pointer, keyword))
                continue
            for name, sub in value.items():
                _walk(sub, "{}/{}/{}".format(pointer, keyword, _escape(name)), errors)
    for keyword in _SCHEMA_KEYWORDS:
        if keyword in schema:
            _walk(schema[keyword], "{}/{}".format(pointer, keyword), errors)
    for keyword in _SCHEMA_LIST_KEYWORDS:
        if keyword in schema:
            value = schema[keyword]
            if not isinstance(value, list) or not value:
                errors.append("{}/{}: must be a non-empty array of schemas".format(pointer, keyword))
                continue
            for index, sub in enumerate(value):
                _walk(sub, "{}/{}/{}".format(pointer, keyword, index), errors)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def check_json_schema(schema: Any, use_jsonschema: Optional[bool] = None) -> Tuple[str, List[str]]:
    """Check ``schema`` as a JSON Schema document: ``(method, problems)``.

    ``method`` says how it was checked (``"jsonschema <version> (draft 2020-12 meta-schema)"``
    or ``"structural check"``). ``use_jsonschema=None`` uses jsonschema if it is importable;
    ``False`` forces the structural check. The structural check always runs too, so its
    findings (for example an invalid ``pattern``) are reported either way.
    """
    problems: List[str] = []
    method = "structural check"
    if use_jsonschema is not False:
        try:
            import jsonschema  # optional, test-time dependency
        except ImportError:
            if use_jsonschema:
                raise
        else:
            validator_cls = jsonschema.Draft202012Validator
            meta = validator_cls(validator_cls.META_SCHEMA)
            for error in sorted(meta.iter_errors(schema), key=lambda e: list(e.absolute_path)):
                pointer = "".join("/" + _escape(str(part)) for part in error.absolute_path) or "/"
                problems.append("{}: {}".format(pointer, error.message))
            try:
                from importlib.metadata import version as _version

                version = _version("jsonschema")
            except Exception:  # pragma: no cover - unusual installs
                version = "?"
            method = "jsonschema {} (draft 2020-12 meta-schema) and structural check".format(version)
    reported = {problem.split(": ", 1)[0] for problem in problems}
    for problem in structural_errors(schema):
        if problem.split(": ", 1)[0] not in reported:
            problems.append(problem)
    return method, problems
