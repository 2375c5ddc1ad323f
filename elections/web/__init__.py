"""The HTTP edge: errors and their envelope, access declarations, security headers, rate limits,
strict forms, templating, language, the API document."""
