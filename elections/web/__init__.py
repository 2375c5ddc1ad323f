"""The HTTP edge every feature uses: access declarations, the page cache, strict forms, schema
fields, rate limits, security headers, language, templating, the error envelope and pages."""
