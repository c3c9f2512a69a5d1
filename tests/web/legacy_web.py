#!/usr/bin/env python3
"""A county portal whose annual reports are legacy Office files.

    legacy_web.py FILES_DIR LOG

寻乌县's report column lists three report pages in the portal's usual
template; each carries its report as an attachment: a Word 97-2003 .doc
behind a download script that names no extension (Hanweb downfile.jsp),
an RTF under its own name, an Excel 97-2003 .xls, and a scanned PDF.
FILES_DIR holds doc.bin, rtf.bin, xls.bin (tests/test_legacy.py makes
them from the layout generator through LibreOffice) and/or scan.bin
(tests/test_scans.py); a report whose file is absent is not listed.  Prints the port, serves until
killed, and logs each request's path to LOG."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = "寻乌县人民政府"
COL = "/col/col2941/index.html"
# (article path, title, attachment href, file, link text)
REPORTS = [
    ("/art/2024/1/18/art_2941_101.html", "寻乌县财政局2023年政府信息公开工作年度报告",
     "/module/download/downfile.jsp?classid=0&amp;filename=2401181530.doc", "doc.bin", "点击下载"),
    ("/art/2024/1/19/art_2941_102.html", "寻乌县澄江镇人民政府2023年政府信息公开工作年度报告",
     "/attach/2024/01/19/ndbg2023.rtf", "rtf.bin", "寻乌县澄江镇人民政府2023年政府信息公开工作年度报告.rtf"),
    ("/art/2024/1/22/art_2941_103.html", "寻乌县水利局2023年政府信息公开工作年度报告",
     "/attach/2024/01/22/P020240122.xls", "xls.bin", "寻乌县水利局2023年政府信息公开工作年度报告.xls"),
    # A scan (tests/test_scans.py makes scan.bin; the page is left out
    # without it).
    ("/art/2024/1/23/art_2941_104.html", "寻乌县吉潭镇人民政府2023年政府信息公开工作年度报告",
     "/attach/2024/01/23/P020240123.pdf", "scan.bin", "寻乌县吉潭镇人民政府2023年政府信息公开工作年度报告（扫描件）.pdf"),
]


def page(title, body):
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{NAME}</title></head>
<body><div class="head"><img src="/images/logo.png" alt="{NAME}"></div>
<div class="nav"><a href="/index.html">首页</a> <a href="/zwgk/index.html">政务公开</a></div>
<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a>
 &gt; <a href="{COL}">政府信息公开年报</a></div>
<div class="content">{body}</div>
<div class="footer">主办：{NAME}办公室　赣ICP备05000000号</div></body></html>""".encode()


def routes(files):
    reports = [x for x in REPORTS if os.path.exists(os.path.join(files, x[3]))]
    r = {
        "/": page(NAME, '<a href="/zwgk/index.html">政务公开</a>'),
        "/index.html": page(NAME, '<a href="/zwgk/index.html">政务公开</a>'),
        "/zwgk/index.html": page("政务公开", f'<ul><li><a href="{COL}">政府信息公开年报</a></li>'
                                 '<li><a href="/col/col2942/index.html">通知公告</a></li></ul>'),
        "/col/col2942/index.html": page("通知公告", "<ul></ul>"),
        COL: page("政府信息公开年报", "<ul>" + "".join(
            f'<li><a href="{p}" target="_blank">{t}</a><span>2024-01-2{i}</span></li>'
            for i, (p, t, _, _, _) in enumerate(reports)) + "</ul>"),
    }
    for path, title, href, name, text in reports:
        r[path] = page(title, f'<div class="article"><h1>{title}</h1><div class="info">发布日期：2024-01-18'
                              f'</div><p>附件：<a href="{href}">{text}</a></p></div>')
        with open(os.path.join(files, name), "rb") as f:
            r[href.replace("&amp;", "&")] = (f.read(), "application/octet-stream")
    return r


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        self.log.write(json.dumps({"path": self.path}) + "\n")
        self.log.flush()
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            body, ctype = b"<html><body>404</body></html>", "text/html; charset=utf-8"
        else:
            self.send_response(200)
            body, ctype = body if isinstance(body, tuple) else (body, "text/html; charset=utf-8")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    Handler.routes = routes(sys.argv[1])
    Handler.log = open(sys.argv[2], "a", encoding="utf-8")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
