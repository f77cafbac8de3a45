#!/usr/bin/env python3
"""Writes the panel's nginx configuration and nodes.json from one list of nodes.

Both come from the same list, so the panel never lists a node the proxy cannot reach and
the proxy never forwards to a node the panel does not know. The Content-Security-Policy
allows trunk's inline bootstrap script by its SHA-256, read from the built index.html, so
rerunning this after every `trunk build --release` keeps the hash current.

Usage:
  deploy/generate.py --nodes nodes.txt --dist dist --out /etc/nginx/sps-panel \
      [--base /panel/] [--ca appliances-ca.pem] [--origin https://panel.example.com] \
      [--csp-report-uri https://reports.example.com/csp] [--request-time-limit-ms 60000]

The nodes list is JSON ({"nodes": [{"name", "address", "cluster_address", "tls_name"?}]})
or text, one node a line: `name address[:port] cluster_address [tls_name]`; `#` starts a
comment. It writes into --out:
  sps-panel-http.conf     include in `http {}`: the cross-site refusal maps
  sps-panel-server.conf   include in the TLS `server {}`: the bundle and one location
                          per node
  sps-panel-headers.conf  the security headers, included by every location
  nodes.json              served beside index.html by sps-panel-server.conf
"""

import argparse
import base64
import hashlib
import html.parser
import ipaddress
import json
import os
import re
import sys

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
# host, IPv4 or [IPv6], optional port: what proxy_pass accepts after https://
ADDRESS = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
BASE = re.compile(r"^/([A-Za-z0-9_.-]+/)*$")
ORIGIN = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
REPORT_URI = re.compile(r"^(https://[A-Za-z0-9.:-]+)?/[A-Za-z0-9/_.-]*$")
# trunk's file hashes: `name-<hex>.ext` or `name-<hex>_bg.wasm` (trunk drops leading zeros)
HASHED_ASSET = r"-[0-9a-f]{12,32}(_bg)?\.(js|wasm|css)$"


class Fail(Exception):
    """A problem with the input, told to the person running the script."""


def read_nodes(path):
    with open(path, encoding="utf-8") as source:
        text = source.read()
    if text.lstrip().startswith("{"):
        try:
            entries = json.loads(text)["nodes"]
        except (ValueError, KeyError, TypeError) as error:
            raise Fail(f"{path}: not a nodes list: {error}") from error
        rows = [
            (e.get("name"), e.get("address"), e.get("cluster_address"), e.get("tls_name"))
            for e in entries
        ]
    else:
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) not in (3, 4):
                raise Fail(f"{path}:{number}: want `name address[:port] cluster_address [tls_name]`")
            rows.append((*words, None) if len(words) == 3 else tuple(words))
    nodes, seen = [], set()
    for name, address, cluster_address, tls_name in rows:
        where = f"{path}: node {name!r}"
        if not isinstance(name, str) or not NAME.match(name):
            raise Fail(f"{where}: a name is letters, digits, '.', '_' or '-'")
        if name in seen:
            raise Fail(f"{where}: listed twice")
        seen.add(name)
        if not isinstance(address, str) or not ADDRESS.match(address):
            raise Fail(f"{where}: address {address!r} is not host[:port]")
        if not isinstance(cluster_address, str) or not cluster_address:
            raise Fail(f"{where}: the cluster address is missing")
        try:
            ipaddress.ip_address(cluster_address)
        except ValueError as error:
            raise Fail(f"{where}: cluster address {cluster_address!r} is not an IP") from error
        if tls_name is not None and (not isinstance(tls_name, str) or not ADDRESS.match(tls_name)):
            raise Fail(f"{where}: tls_name {tls_name!r} is not a host name")
        nodes.append({"name": name, "address": address, "cluster_address": cluster_address,
                      "tls_name": tls_name})
    if not nodes:
        raise Fail(f"{path}: no nodes")
    return nodes


class InlineScripts(html.parser.HTMLParser):
    """Collects the exact text of every <script> without src (trunk's bootstrap)."""

    def __init__(self, source):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.lines = [0]
        for line in source.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.start = None
        self.scripts = []

    def position(self):
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self.start = self.position() + len(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "script" and self.start is not None:
            self.scripts.append(self.source[self.start:self.position()])
            self.start = None


def script_hashes(dist):
    index = os.path.join(dist, "index.html")
    try:
        with open(index, encoding="utf-8", newline="") as source:
            text = source.read()
    except OSError as error:
        raise Fail(f"{index}: {error.strerror}; build the bundle first (trunk build --release)")
    parser = InlineScripts(text)
    parser.feed(text)
    parser.close()
    if not parser.scripts:
        raise Fail(f"{index}: no inline bootstrap script; is this trunk's output?")
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in parser.scripts
    ]


def csp(hashes, report_uri):
    report = [f"report-uri {report_uri}"] if report_uri else []
    return "; ".join([
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        *report,
    ])


def headers_conf(hashes, report_uri):
    lines = [
        "# Generated by deploy/generate.py: the security headers of every response.",
        "# Each location includes this file because a location with its own add_header",
        "# drops every add_header of the levels above it.",
        f"add_header Content-Security-Policy \"{csp(hashes, report_uri)}\" always;",
        "add_header X-Content-Type-Options \"nosniff\" always;",
        "add_header Referrer-Policy \"no-referrer\" always;",
        "add_header Cross-Origin-Opener-Policy \"same-origin\" always;",
        "add_header Cross-Origin-Resource-Policy \"same-origin\" always;",
        "add_header Permissions-Policy \"camera=(), microphone=(), geolocation=(), usb=()\" always;",
        "add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;",
    ]
    return "\n".join(lines) + "\n"


def http_conf(origin):
    if origin:
        origin_map = [
            "map $http_origin $sps_foreign_origin {",
            "    \"\" 0;",
            f"    \"{origin}\" 0;",
            "    default 1;",
            "}",
        ]
    else:
        # No origin given: the panel's own origin is this request's scheme and Host.
        origin_map = [
            "map \"$http_origin $scheme://$http_host\" $sps_foreign_origin {",
            "    \"~^ \" 0;",
            "    \"~*^(\\S+) \\1$\" 0;",
            "    default 1;",
            "}",
        ]
    lines = [
        "# Generated by deploy/generate.py: include in `http {}`.",
        "#",
        "# A state-changing request to a node is refused when another site sent it (Fetch",
        "# Metadata, then Origin) or when it lacks the panel's X-SPS-Panel header, which",
        "# another site cannot add without a CORS preflight that nothing here answers.",
        "map $request_method $sps_unsafe_method {",
        "    GET 0;",
        "    HEAD 0;",
        "    OPTIONS 0;",
        "    default 1;",
        "}",
        "map $http_sec_fetch_site $sps_other_site {",
        "    cross-site 1;",
        "    same-site 1;",
        "    default 0;",
        "}",
        *origin_map,
        "# Hashed assets cache for a year, but an error (a missing asset) must not.",
        "map $status $sps_asset_cache {",
        "    200 \"public, max-age=31536000, immutable\";",
        "    206 \"public, max-age=31536000, immutable\";",
        "    304 \"public, max-age=31536000, immutable\";",
        "    default \"no-cache\";",
        "}",
        "map $http_x_sps_panel $sps_no_marker {",
        "    \"1\" 0;",
        "    default 1;",
        "}",
        "map \"$sps_unsafe_method:$sps_other_site$sps_foreign_origin$sps_no_marker\" $sps_refuse {",
        "    \"~^1:.*1\" 1;",
        "    default 0;",
        "}",
    ]
    return "\n".join(lines) + "\n"


# The panel's default time limit per request, and the range nodes.json may set it in.
PANEL_TIME_LIMIT_MS = 30_000
TIME_LIMIT_RANGE_MS = range(1_000, 600_001)


def read_timeout_seconds(time_limit_ms):
    """nginx waits for a node at least as long as the panel does, so that a slow node
    reaches the panel as its own time limit rather than as nginx's 504."""
    limit_ms = time_limit_ms or PANEL_TIME_LIMIT_MS
    return max(60, -(-limit_ms // 1000) + 5)


def server_conf(nodes, base, dist, out, ca, time_limit_ms=None):
    headers = os.path.join(out, "sps-panel-headers.conf")
    include = f"include {headers};"
    refused = json.dumps({"error": {
        "code": "CrossSiteRequestRefused",
        "message": "The proxy refused a state-changing request that did not come from the panel.",
    }})
    lines = [
        "# Generated by deploy/generate.py: include in the panel's TLS `server {}`.",
        "server_tokens off;",
        "gzip on;",
        "gzip_static on;",
        "gzip_vary on;",
        "gzip_min_length 1024;",
        "gzip_types application/wasm application/javascript text/javascript text/css application/json;",
        "",
    ]
    if base != "/":
        lines += [
            "# The site's root and the base without its slash lead to the panel.",
            "location = / {",
            f"    {include}",
            f"    return 302 {base};",
            "}",
            f"location = {base.rstrip('/')} {{",
            f"    {include}",
            f"    return 301 {base}$is_args$args;",
            "}",
            "",
        ]
    unreachable = json.dumps({"error": {
        "code": "BadGateway",
        "message": "The proxy could not reach the node, or the certificate of the node failed verification.",
    }})
    lines += [
        "# nginx's own answer when a node cannot be reached, shaped like an SPS error.",
        "location @sps_unreachable {",
        f"    {include}",
        "    add_header Cache-Control \"no-store\" always;",
        "    default_type application/json;",
        f"    return 502 '{unreachable}';",
        "}",
        "",
        "# The bundle. index.html is revalidated every time; the files it names carry",
        "# their content's hash in their names, so they never change and cache for a year.",
        f"location ^~ {base} {{",
        f"    alias {dist.rstrip('/')}/;",
        "    index index.html;",
        "    types {",
        "        text/html html;",
        "        text/css css;",
        "        text/javascript js;",
        "        application/wasm wasm;",
        "        application/json json;",
        "        image/svg+xml svg;",
        "        image/png png;",
        "        image/x-icon ico;",
        "    }",
        "    default_type application/octet-stream;",
        f"    {include}",
        "    add_header Cache-Control \"no-cache\" always;",
        "    # A path without an extension that names no file goes back to the panel, query",
        "    # kept (the panel's own deep links are queries); a missing file is a real 404.",
        f"    try_files $uri $uri/ @sps_panel_home;",
        f"    location ~ \"{HASHED_ASSET}\" {{",
        f"        {include}",
        "        add_header Cache-Control $sps_asset_cache always;",
        "        try_files $uri =404;",
        "    }",
        "    location ~ \\.[A-Za-z0-9]+$ {",
        f"        {include}",
        "        add_header Cache-Control \"no-cache\" always;",
        "        try_files $uri =404;",
        "    }",
        "}",
        "",
        "location @sps_panel_home {",
        f"    {include}",
        f"    return 302 {base}$is_args$args;",
        "}",
        "",
        "# nodes.json is written beside this file, from the same list as the locations below.",
        f"location = {base}nodes.json {{",
        f"    alias {os.path.join(out, 'nodes.json')};",
        "    default_type application/json;",
        f"    {include}",
        "    add_header Cache-Control \"no-cache\" always;",
        "}",
    ]
    for node in nodes:
        name = node["name"]
        prefix = f"{base}sps/{name}/"
        tls_name = node["tls_name"] or node["address"].rsplit(":", 1)[0].strip("[]")
        lines += [
            "",
            f"location ^~ {prefix} {{",
            f"    {include}",
            "    add_header Cache-Control \"no-store\" always;",
            "    default_type application/json;",
            "    if ($sps_refuse) {",
            f"        return 403 '{refused}';",
            "    }",
            f"    proxy_pass https://{node['address']}/;",
            "    proxy_http_version 1.1;",
            "    proxy_set_header Connection \"\";",
            "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "    proxy_set_header X-Forwarded-Proto $scheme;",
            "    proxy_hide_header Cache-Control;",
            "    error_page 502 504 = @sps_unreachable;",
            f"    proxy_read_timeout {read_timeout_seconds(time_limit_ms)}s;",
            "    client_max_body_size 4m;",
            "    proxy_ssl_server_name on;",
            f"    proxy_ssl_name {tls_name};",
        ]
        if ca:
            lines += [
                "    proxy_ssl_verify on;",
                "    proxy_ssl_verify_depth 3;",
                f"    proxy_ssl_trusted_certificate {ca};",
            ]
        else:
            lines += ["    # No --ca: the appliance's certificate is not verified.",
                      "    proxy_ssl_verify off;"]
        lines += [
            "    # One session per node: the node's cookie lives under its own prefix.",
            f"    proxy_cookie_path / {prefix};",
            "    proxy_cookie_flags session_id secure httponly samesite=strict;",
            "}",
        ]
    return "\n".join(lines) + "\n"


def nodes_json(nodes, base, time_limit_ms=None):
    document = {"nodes": [
        {"name": n["name"], "prefix": f"{base}sps/{n['name']}", "cluster_address": n["cluster_address"]}
        for n in nodes
    ]}
    if time_limit_ms is not None:
        document["request_time_limit_ms"] = time_limit_ms
    return json.dumps(document, indent=2) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", required=True, help="the nodes list (JSON or text)")
    parser.add_argument("--dist", required=True, help="the release bundle nginx serves")
    parser.add_argument("--out", required=True, help="directory for the generated files")
    parser.add_argument("--base", default="/", help="the panel's path, e.g. /panel/ (default /)")
    parser.add_argument("--ca", help="PEM file of the CA that signed the appliances' certificates")
    parser.add_argument("--origin", help="the panel's public origin, https://host[:port]; "
                        "default: the request's scheme and Host")
    parser.add_argument("--csp-report-uri", help="where browsers report CSP violations")
    parser.add_argument("--request-time-limit-ms", type=int,
                        help="how long the panel waits for one answer (default 30000)")
    args = parser.parse_args(argv)
    try:
        if not BASE.match(args.base):
            raise Fail(f"--base {args.base!r} must start and end with / (like /panel/)")
        if args.csp_report_uri and not REPORT_URI.match(args.csp_report_uri):
            raise Fail(f"--csp-report-uri {args.csp_report_uri!r} is not an https URL or a path")
        if args.origin and not ORIGIN.match(args.origin):
            raise Fail(f"--origin {args.origin!r} must look like https://host[:port]")
        limit = args.request_time_limit_ms
        if limit is not None and limit not in TIME_LIMIT_RANGE_MS:
            raise Fail(f"--request-time-limit-ms {limit} is outside 1000 to 600000")
        dist = os.path.abspath(args.dist)
        out = os.path.abspath(args.out)
        ca = os.path.abspath(args.ca) if args.ca else None
        if ca and not os.path.isfile(ca):
            raise Fail(f"--ca {ca}: no such file")
        nodes = read_nodes(args.nodes)
        hashes = script_hashes(dist)
        os.makedirs(out, exist_ok=True)
        files = {
            "sps-panel-headers.conf": headers_conf(hashes, args.csp_report_uri),
            "sps-panel-http.conf": http_conf(args.origin),
            "sps-panel-server.conf": server_conf(nodes, args.base, dist, out, ca, limit),
            "nodes.json": nodes_json(nodes, args.base, limit),
        }
        for name, text in files.items():
            with open(os.path.join(out, name), "w", encoding="utf-8") as target:
                target.write(text)
    except (Fail, OSError) as error:
        print(f"generate.py: {error}", file=sys.stderr)
        return 1
    print(f"generate.py: wrote {len(nodes)} node(s) and the CSP hash(es) {' '.join(hashes)} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
