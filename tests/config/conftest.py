"""Shared fixtures for the config tests (pytest runs with --import-mode=importlib)."""

import jsonschema
import pytest


def _assert_valid_json_schema(document):
    validator = jsonschema.Draft202012Validator
    problems = [error.message for error in validator(validator.META_SCHEMA).iter_errors(document)]
    assert problems == []


def _instance_errors(document, instance):
    return [error.message for error in jsonschema.Draft202012Validator(document).iter_errors(instance)]


@pytest.fixture
def assert_valid_json_schema():
    """Assert a document is a valid draft 2020-12 JSON Schema (checked against the meta-schema)."""
    return _assert_valid_json_schema


@pytest.fixture
def instance_errors():
    """Messages of a standard validator checking an instance against a document."""
    return _instance_errors
