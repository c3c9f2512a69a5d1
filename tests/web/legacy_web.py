#!/usr/bin/env python3
"""A county portal whose annual reports are legacy Office files and scans.

    legacy_web.py FILES_DIR LOG

寻乌县's report column lists report pages in the portal's usual template;
each carries its report as an attachment: a Word 97-2003 .doc behind a
download script that names no extension (Hanweb downfile.jsp), an RTF
under its own name, an Excel 97-2003 .xls, a scanned PDF, two Kingsoft
.wps files (one under its name as application/kswps, one behind a
download script as application/vnd.ms-works with the name in
Content-Disposition), and hostile files: a zip bomb named .doc, an OLE2
file whose header declares absurd sizes, a 60000 x 60000 PNG behind a
download script.
FILES_DIR holds doc.bin, rtf.bin, xls.bin, wps.bin, works.bin, bomb.bin,
olelie.bin, huge.bin (tests/test_legacy.py makes them from the layout generator
through LibreOffice) and/or scan.bin (tests/test_scans.py); a report
whose file is absent is not listed.

Image-page reports (tests/test_imagepages.py): FILES_DIR/pages-N/ holds a
report's page scans 1.bin, 2.bin, …; its report page, in GBK as the
township's CMS writes it, shows them in a TRS_Editor div, lazy-loaded
(src a loading.gif, the scan in data-src), one wrapped in a link to
itself, each with a caption, beside the site logo in the header, a print
icon in the article and a QR code in the footer, none of which is a page.
pages-N/title holds the page's title; pages-N/count, when present, makes
the page show that many images (all the scan of 1.bin, at distinct URLs).
Prints the port, serves until killed, and logs each request's path to
LOG."""
import json
import os
import sys
import urllib.parse
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
    # Kingsoft WPS files: Word binary inside, sent as portals send them.
    ("/art/2024/1/24/art_2941_105.html", "寻乌县南桥镇人民政府2023年政府信息公开工作年度报告",
     "/attach/2024/01/24/P020240124.wps", "wps.bin", "寻乌县南桥镇人民政府2023年政府信息公开工作年度报告.wps"),
    ("/art/2024/1/24/art_2941_106.html", "寻乌县项山乡人民政府2023年政府信息公开工作年度报告",
     "/module/download/downfile.jsp?classid=0&amp;filename=2401241630", "works.bin", "附件下载"),
    # Hostile files, each behind a report title: their records must end
    # with their cap's reason while the crawl goes on.
    ("/art/2024/1/25/art_2941_107.html", "寻乌县文峰乡人民政府2023年政府信息公开工作年度报告",
     "/attach/2024/01/25/P020240125.doc", "bomb.bin", "寻乌县文峰乡人民政府2023年政府信息公开工作年度报告.doc"),
    ("/art/2024/1/25/art_2941_108.html", "寻乌县三标乡人民政府2023年政府信息公开工作年度报告",
     "/attach/2024/01/25/P020240126.doc", "olelie.bin", "寻乌县三标乡人民政府2023年政府信息公开工作年度报告.doc"),
    ("/art/2024/1/25/art_2941_109.html", "寻乌县菖蒲乡人民政府2023年政府信息公开工作年度报告",
     "/module/download/downfile.jsp?classid=0&amp;filename=2401251730", "huge.bin", "附件下载"),
]
# The Content-Type each file is served with (default octet-stream), and a
# Content-Disposition name for those behind a download script.
CTYPES = {"wps.bin": "application/kswps", "works.bin": "application/vnd.ms-works"}
DISPOSITION = {"works.bin": "寻乌县项山乡人民政府2023年政府信息公开工作年度报告.wps",
               "huge.bin": "寻乌县菖蒲乡人民政府2023年政府信息公开工作年度报告（扫描件）.jpg"}
# A 1x1 PNG: the site's logo, icons and the lazy loader's placeholder.
DOT = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def page(title, body):
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{NAME}</title></head>
<body><div class="head"><img src="/images/logo.png" alt="{NAME}"></div>
<div class="nav"><a href="/index.html">首页</a> <a href="/zwgk/index.html">政务公开</a></div>
<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a>
 &gt; <a href="{COL}">政府信息公开年报</a></div>
<div class="content">{body}</div>
<div class="footer">主办：{NAME}办公室　赣ICP备05000000号</div></body></html>""".encode()


def image_page(title, scans):
    """A township CMS's article whose body is page scans (GBK)."""
    imgs = []
    for i, src in enumerate(scans, 1):
        img = (f'<img src="/images/loading.gif" data-src="{src}" class="lazy" '
               f'alt="{title}第{i}页" style="max-width:100%">')
        if i == 2:
            img = f'<a href="{src}" target="_blank">{img}</a>'
        imgs.append(f'<p style="text-align:center">{img}</p><p style="text-align:center">第{i}页</p>')
    html = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_{NAME}</title></head>
<body><div class="header"><img src="/images/logo.png" alt="{NAME}" width="600" height="90"></div>
<div class="nav"><a href="/index.html">首页</a> <a href="/zwgk/index.html">政务公开</a></div>
<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="{COL}">政府信息公开年报</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">发布日期：2024-01-26 <a href="javascript:window.print()"><img src="/images/print.gif" width="16" height="16">打印</a></div>
<div class="TRS_Editor">{''.join(imgs)}</div></div>
<div class="footer"><img src="/images/qrcode.jpg" alt="微信公众号">主办：{NAME}办公室</div></body></html>"""
    return html.encode("gbk"), "text/html; charset=gb2312"


def image_pages(files):
    """(article path, title, {scan path: bytes}) per pages-N folder."""
    out = []
    for n in range(1, 10):
        d = os.path.join(files, f"pages-{n}")
        if not os.path.isdir(d):
            continue
        with open(os.path.join(d, "title"), encoding="utf-8") as f:
            title = f.read().strip()
        scans = []
        k = 1
        while os.path.exists(os.path.join(d, f"{k}.bin")):
            with open(os.path.join(d, f"{k}.bin"), "rb") as f:
                scans.append(f.read())
            k += 1
        count = len(scans)
        if os.path.exists(os.path.join(d, "count")):
            with open(os.path.join(d, "count")) as f:
                count = int(f.read())
        paths = {f"/attach/2024/01/26/W0202401260{n}{k:04d}.jpg": scans[min(k, len(scans)) - 1]
                 for k in range(1, count + 1)}
        out.append((f"/art/2024/1/26/art_2941_2{n:02d}.html", title, paths))
    return out


def routes(files):
    reports = [x for x in REPORTS if os.path.exists(os.path.join(files, x[3]))]
    pages = image_pages(files)
    r = {
        "/": page(NAME, '<a href="/zwgk/index.html">政务公开</a>'),
        "/index.html": page(NAME, '<a href="/zwgk/index.html">政务公开</a>'),
        "/zwgk/index.html": page("政务公开", f'<ul><li><a href="{COL}">政府信息公开年报</a></li>'
                                 '<li><a href="/col/col2942/index.html">通知公告</a></li></ul>'),
        "/col/col2942/index.html": page("通知公告", "<ul></ul>"),
        COL: page("政府信息公开年报", "<ul>" + "".join(
            f'<li><a href="{p}" target="_blank">{t}</a><span>2024-01-2{i % 10}</span></li>'
            for i, (p, t) in enumerate([x[:2] for x in reports] + [x[:2] for x in pages]))
            + "</ul>"),
        "/images/logo.png": (DOT, "image/png"),
        "/images/loading.gif": (DOT, "image/png"),
        "/images/print.gif": (DOT, "image/png"),
        "/images/qrcode.jpg": (DOT, "image/png"),
    }
    for path, title, scans in pages:
        r[path] = image_page(title, list(scans))
        for src, data in scans.items():
            r[src] = (data, "image/jpeg")
    for path, title, href, name, text in reports:
        r[path] = page(title, f'<div class="article"><h1>{title}</h1><div class="info">发布日期：2024-01-18'
                              f'</div><p>附件：<a href="{href}">{text}</a></p></div>')
        with open(os.path.join(files, name), "rb") as f:
            r[href.replace("&amp;", "&")] = (f.read(), CTYPES.get(name, "application/octet-stream"),
                                             DISPOSITION.get(name))
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
            body, ctype, *name = body if isinstance(body, tuple) else (body, "text/html; charset=utf-8")
            if name and name[0]:
                self.send_header("Content-Disposition",
                                 "attachment; filename*=UTF-8''" + urllib.parse.quote(name[0]))
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
