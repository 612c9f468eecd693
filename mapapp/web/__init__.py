"""Cross-cutting HTTP for every door: middleware, conditional responses (ETag and
Last-Modified), rate limits, the client's address, error pages and static file storage."""
