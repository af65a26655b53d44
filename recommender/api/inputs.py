"""The base of every serializer that reads client input (query parameters, form fields, JSON bodies).

In: request.query_params, request.data. Out: validated data, or a 400 naming each bad field. Two departures
from DRF, both so that a value the schema calls invalid is refused:

- Query strings and forms are read as plain values. DRF reads them as HTML forms, where `?gender=` means
  "not given"; here it is an empty value, refused unless the field allows blank. The last of repeated
  values counts.
- In a JSON body each value must have its field's JSON type: "5" is not an integer and 0 is not a string
  (DRF converts both). Form and query values are text, so there every value arrives as a string.
"""

from collections.abc import Mapping

from django.http import QueryDict
from rest_framework import serializers

# The JSON types a field of each class takes, most specific class first (BooleanField before nothing: a
# bool is an int in Python, so integers exclude it explicitly).
_JSON_TYPES: tuple[tuple[type, tuple[type, ...], str], ...] = (
    (serializers.BooleanField, (bool,), "a boolean"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.DecimalField, (int, float), "a number"),
    (serializers.ChoiceField, (str,), "a string"),
    (serializers.CharField, (str,), "a string"),
)


class Input(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, QueryDict):
            data = data.dict()
        elif isinstance(data, Mapping):
            wrong = {name: [f"Expected {kind}."] for name, kind in _type_errors(self.fields, data).items()}
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


def _type_errors(fields, data: Mapping) -> dict[str, str]:
    errors = {}
    for name, field in fields.items():
        value = data.get(name)
        if name not in data or value is None or field.read_only:
            continue
        for field_class, types, kind in _JSON_TYPES:
            if isinstance(field, field_class):
                if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                    errors[name] = kind
                break
    return errors
