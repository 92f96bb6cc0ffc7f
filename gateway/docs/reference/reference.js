// One Swagger UI per OpenAPI document, all on this page. The documents are the gateway's
// /schemas/{service}/{version}.json (make schema writes them from docs/openapi/). A file of its own,
// not an inline script: the page's Content-Security-Policy allows scripts from this origin only.
"use strict";

const APIS = [
  { service: "auth", version: "v2", title: "auth v2", note: "users, tokens, service tokens, keys" },
  { service: "customers", version: "v2", title: "customers v2", note: "customer records" },
  { service: "auth", version: "v1", title: "auth v1", note: "deprecated: use v2" },
  { service: "customers", version: "v1", title: "customers v1", note: "deprecated: use v2" },
];

const nav = document.getElementById("apis");
const main = document.getElementById("reference");

for (const api of APIS) {
  const id = `${api.service}-${api.version}`;
  const schemaUrl = `/schemas/${api.service}/${api.version}.json`;

  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `#${id}`;
  link.textContent = api.title;
  item.append(link, ` (${api.note}; `);
  const raw = document.createElement("a");
  raw.href = schemaUrl;
  raw.textContent = "OpenAPI JSON";
  item.append(raw, ")");
  nav.append(item);

  const section = document.createElement("section");
  section.id = id;
  section.className = api.version === "v1" ? "api deprecated" : "api";
  const heading = document.createElement("h2");
  heading.textContent = api.title;
  const target = document.createElement("div");
  target.id = `${id}-ui`;
  section.append(heading, target);
  main.append(section);

  SwaggerUIBundle({
    url: schemaUrl,
    dom_id: `#${target.id}`,
    docExpansion: "list", // every operation's summary shown, its details one click away
    defaultModelsExpandDepth: -1, // schemas are shown with each operation; no separate list
    deepLinking: false, // several instances on one page would fight over the URL fragment
    displayRequestDuration: true,
    validatorUrl: null, // never send the document to an outside validator
  });
}
