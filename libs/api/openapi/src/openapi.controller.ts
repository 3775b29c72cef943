import { Controller, Inject } from '@nestjs/common';
import { Route } from '@cockpit/api-core';
import { apiDocs, openApiDocument } from '@cockpit/contracts';
import { OPENAPI_DOCUMENT } from './tokens.js';

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cockpit API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body>
</html>
`;

@Controller()
export class OpenApiController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>) {}

  @Route(openApiDocument)
  spec(): Record<string, unknown> {
    return this.document;
  }

  @Route(apiDocs)
  docs(): string {
    return DOCS_HTML;
  }
}
