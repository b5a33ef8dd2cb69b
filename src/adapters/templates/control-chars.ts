/* eslint-disable no-control-regex -- matching control characters is the point of these patterns */

/** C0 and C1 control characters and DEL: never acceptable in one-line settings or URLs. */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
export const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Line breaks and tabs are harmless in body text (HTML renders them as spaces); other controls are not. */
export const BODY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Anything that could break a subject onto a second line, including Unicode's line and paragraph separators. */
export const SUBJECT_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Whitespace or a control character: the URL parser silently drops some of these ("java\nscript:"). */
export const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;
