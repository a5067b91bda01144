#!/usr/bin/env python3
"""A minimal OTLP/HTTP receiver for bench/volume.sh: answers POST /v1/traces, /v1/metrics and /v1/logs with 200 and
keeps, per signal, the bytes received (the protobuf bodies as sent; the .NET exporter does not compress by default),
and for traces every span's trace id and name, read with a small protobuf wire-format walker (no OTLP library needed).
GET /stats returns {"bytes": {signal: n}, "spans": [[trace_id_hex, name], ...]} as JSON. With --count-only (for
bench/soak.sh, where keeping every span would grow without bound) it keeps only the bytes and a span count, "spans": n.
    python3 bench/otlp-receiver.py <port> [--count-only]
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
received = {"traces": 0, "metrics": 0, "logs": 0}
spans = []
span_count = [0]
COUNT_ONLY = "--count-only" in sys.argv[2:]


def fields(buffer):
    """Yields (field number, wire type, value) of one protobuf message; value is bytes for length-delimited fields."""
    i = 0
    while i < len(buffer):
        key, i = varint(buffer, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buffer, i)
        elif wire == 1:
            value, i = buffer[i:i + 8], i + 8
        elif wire == 2:
            length, i = varint(buffer, i)
            value, i = buffer[i:i + length], i + length
        elif wire == 5:
            value, i = buffer[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def varint(buffer, i):
    shift = result = 0
    while True:
        byte = buffer[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, i
        shift += 7


def trace_spans(body):
    # ExportTraceServiceRequest.resource_spans = 1 -> ResourceSpans.scope_spans = 2 -> ScopeSpans.spans = 2
    # -> Span.trace_id = 1, Span.name = 5
    for number, _, resource_spans in fields(body):
        if number != 1:
            continue
        for number, _, scope_spans in fields(resource_spans):
            if number != 2:
                continue
            for number, _, span in fields(scope_spans):
                if number != 2:
                    continue
                trace_id = name = None
                for number, _, value in fields(span):
                    if number == 1:
                        trace_id = value.hex()
                    elif number == 5:
                        name = value.decode()
                yield trace_id, name


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        signal = self.path.rsplit("/", 1)[-1]
        with lock:
            if signal in received:
                received[signal] += len(body)
            if signal == "traces" and COUNT_ONLY:
                span_count[0] += sum(1 for _ in trace_spans(body))
            elif signal == "traces":
                spans.extend(trace_spans(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with lock:
            payload = json.dumps({"bytes": received, "spans": span_count[0] if COUNT_ONLY else spans}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
