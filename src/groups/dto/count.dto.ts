/** How many items match the filters. */
export class CountDto {
  /** @example 42 */
  count!: number;
}
