package jobkinds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxParamsBytes caps a job's parameters.
const maxParamsBytes = 16 << 10

// decodeParams decodes a job's parameters (a JSON object, possibly empty or absent) into v,
// strictly: an unknown field or a value of the wrong type is an error naming the field.
func decodeParams(raw json.RawMessage, v any) error {
	if len(raw) > maxParamsBytes {
		return fmt.Errorf("parameters: larger than %d bytes", maxParamsBytes)
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return fmt.Errorf("%s: want %s, got %s", te.Field, te.Type, te.Value)
		case errors.As(err, &te):
			return fmt.Errorf("parameters: want a JSON object, got %s", te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return fmt.Errorf("%s: unknown parameter", strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		}
		return fmt.Errorf("parameters: %v", err)
	}
	if dec.More() {
		return errors.New("parameters: want one JSON object")
	}
	return nil
}
