/** The template catalog: templates as data on disk, rendered with a real engine in strict mode. */

export interface TemplateField {
  /** Dotted path inside `data`, e.g. `startDate` or `manager.name`. */
  name: string;
  description: string;
  /** `url` fields must be https: or mailto: (a `javascript:` link is refused). */
  type?: 'string' | 'date' | 'url' | 'number' | 'list';
}

export interface TemplateInfo {
  name: string;
  /** The catalog's current version (what a message without `templateVersion` gets). */
  version: string;
  versions: string[];
  description: string;
  intent: string;
  required: TemplateField[];
  optional: TemplateField[];
}

export interface RenderedMail {
  template: string;
  version: string;
  /** One line: CR/LF never survive into a subject. */
  subject: string;
  html: string;
  text: string;
}

export interface TemplateCatalog {
  list(): TemplateInfo[];
  /**
   * Renders a template. Throws PermanentDeliveryError with code UnknownTemplate,
   * UnknownTemplateVersion, MissingTemplateField, InvalidTemplateData or UnsafeUrl, naming the
   * template and field (never the data values).
   */
  render(request: { template: string; version?: string; data: Record<string, unknown> }): RenderedMail;
}
