/** A field that failed validation. */
export class FieldErrorDto {
  /** @example "confirmPassword" */
  field!: string;
  /** @example "must equal password" */
  message!: string;
}

/** RFC 9457 problem details, the body of every error response. */
export class ProblemDto {
  /** @example "urn:roster:problem:validation_failed" */
  type!: string;
  /** @example "Bad Request" */
  title!: string;
  /** @example 400 */
  status!: number;
  /** @example "The request is not valid." */
  detail!: string;
  /** A stable machine word for the error. @example "validation_failed" */
  code!: string;
  errors?: FieldErrorDto[];
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  requestId!: string;
}
