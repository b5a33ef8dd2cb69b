import { FailureCode } from '../../domain/failure-codes.js';
import { permanent } from '../../domain/failure.js';
import type { TemplateField } from '../../ports/templates.js';
import { BODY_CONTROL, SUBJECT_CONTROL } from './control-chars.js';
import { parseIsoDate } from './formatters.js';
import { safeHref, URL_RULE } from './safe-url.js';

export type FieldType = NonNullable<TemplateField['type']>;

export interface FieldSpec {
  name: string;
  path: readonly string[];
  type: FieldType;
  pattern?: RegExp;
  required: boolean;
}

export interface DataRules {
  template: string;
  fields: readonly FieldSpec[];
  /** Fields the subject reads: they must be single-line. */
  subjectFields: ReadonlySet<string>;
}

function valueAt(data: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next === 'object' && next !== null) {
      current = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    }
  });
}

function isMissing(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

const fieldPath = (f: FieldSpec) => `data.${f.name}`;

function invalid(f: FieldSpec, rule: string) {
  return permanent(FailureCode.InvalidTemplateData, `${fieldPath(f)} ${rule}`, {
    fieldPaths: [fieldPath(f)],
  });
}

function checkText(f: FieldSpec, value: unknown, where = fieldPath(f)): string {
  if (typeof value !== 'string') {
    throw permanent(FailureCode.InvalidTemplateData, `${where} must be text`, { fieldPaths: [fieldPath(f)] });
  }
  if (BODY_CONTROL.test(value)) {
    throw permanent(FailureCode.InvalidTemplateData, `${where} must not contain control characters`, {
      fieldPaths: [fieldPath(f)],
    });
  }
  if (f.pattern && !f.pattern.test(value)) {
    throw permanent(FailureCode.InvalidTemplateData, `${where} must match ${String(f.pattern)}`, {
      fieldPaths: [fieldPath(f)],
    });
  }
  return value;
}

/** Checks one present value against its declared type and returns what the template will see. */
function checkValue(f: FieldSpec, value: unknown): unknown {
  switch (f.type) {
    case 'string':
      return checkText(f, value);
    case 'date':
      if (!parseIsoDate(value)) throw invalid(f, 'must be a calendar date in the form YYYY-MM-DD');
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(f, 'must be a number');
      return value;
    case 'url':
      if (safeHref(value) === undefined) {
        throw permanent(FailureCode.UnsafeUrl, `${fieldPath(f)} ${URL_RULE}`, {
          fieldPaths: [fieldPath(f)],
        });
      }
      return value;
    case 'list':
      if (!Array.isArray(value)) throw invalid(f, 'must be a list of text items');
      return value.map((item: unknown, i) => checkText(f, item, `${fieldPath(f)}[${i}]`));
  }
}

/**
 * Validates message data against a template's declared fields and builds the render context from the
 * declared fields only, with absent optional fields set to null (so strict mode never trips on them).
 * Throws PermanentDeliveryError: MissingTemplateField listing every missing required field, then
 * InvalidTemplateData or UnsafeUrl for the first bad one. Messages name fields, never values.
 */
export function prepareTemplateData(
  rules: DataRules,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const missing = rules.fields.filter((f) => f.required && isMissing(valueAt(data, f.path))).map(fieldPath);
  if (missing.length > 0) {
    throw permanent(
      FailureCode.MissingTemplateField,
      `template '${rules.template}' requires ${missing.join(', ')}`,
      { fieldPaths: missing },
    );
  }

  const context: Record<string, unknown> = {};
  for (const f of rules.fields) {
    const raw = valueAt(data, f.path);
    const value = isMissing(raw) ? null : checkValue(f, raw);
    if (value !== null && rules.subjectFields.has(f.name)) {
      const texts = Array.isArray(value) ? value : [value];
      if (texts.some((t) => typeof t === 'string' && SUBJECT_CONTROL.test(t))) {
        throw invalid(f, 'is used in the subject and must be one line without control characters');
      }
    }
    setAt(context, f.path, value);
  }
  return context;
}

/** The same data with only the required fields: what the leanest valid message carries. */
export function requiredFieldsOnly(rules: DataRules, data: Record<string, unknown>): Record<string, unknown> {
  const lean: Record<string, unknown> = {};
  for (const f of rules.fields) {
    const value = valueAt(data, f.path);
    if (f.required && value !== undefined) setAt(lean, f.path, value);
  }
  return lean;
}
