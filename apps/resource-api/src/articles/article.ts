/** An article as stored and returned by the API. */
export interface Article {
  id: string;
  title: string;
  body: string;
  /** `sub` of the token that created it. */
  authorId: string;
  /** ISO 8601 timestamp. */
  createdAt: string;
}
