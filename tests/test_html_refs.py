"""The page audit used by the UI tests finds what a browser would load from another host, and nothing else."""

from __future__ import annotations

import base64

from tests.html_refs import external_references


def test_finds_scripts_styles_images_and_css_urls_on_other_hosts():
    html = """<html><head>
      <script src="https://cdn.example.com/chart.js"></script>
      <link rel="stylesheet" href="//fonts.example.net/a.css">
      <style>@import "https://x.example/b.css"; body { background: url('http://img.example/bg.png') }</style>
    </head><body><img src="HTTPS://pics.example/p.png" style="background:url(//t.example/p.gif)">
      <img srcset="https://s.example/1.png 1x, /local.png 2x"></body></html>"""
    assert sorted(external_references(html)) == sorted(
        [
            "https://cdn.example.com/chart.js",
            "//fonts.example.net/a.css",
            "https://x.example/b.css",
            "http://img.example/bg.png",
            "HTTPS://pics.example/p.png",
            "//t.example/p.gif",
            "https://s.example/1.png",
        ]
    )


def test_inline_data_links_and_text_are_not_loads():
    data = base64.b64encode(b"\x00cdn\xffhttps://cdn.example.com/" * 50).decode()
    html = f"""<p>See https://cdn.example.com/ and <a href="https://tass.com/x">TASS</a>.</p>
      <img src="data:image/png;base64,{data}"><img src="cid:chart-1"><script>var a = 1;</script>"""
    assert external_references(html) == []
