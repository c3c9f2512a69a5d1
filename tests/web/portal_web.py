"""A fixture web of government portals for `govharvest seeds discover`.

A province portal whose site navigation reaches its cities' portals in one
of the shapes real portals use (a <select onchange="window.open(...)">
dropdown, a headed link list, or a 市县政府网站 page of its own), cities that
list their counties the same ways, county portals with the 网站标识码 in the
footer text, in a <meta>, or not at all; a bureau's site (a department), a
portal that redirects to its new domain, a county whose identifier and
title disagree (a conflict: reported, region left empty), and links that
must not become seeds: off-site and non-government hosts, 中国政府网, a
neighbouring province, a county's link back up (a loop), and a page of
county portals that the province's robots.txt closes to govharvest by name
(its group for our product token, spelt and ordered variously, beside a
`*` group that would allow it).  Some pages are
GBK.  Which shape each page takes, the title decorations and the encodings
vary with the seed; the rows expected do not.

portal_web(seed) -> (sites, start_url, expected_rows) where sites maps
host -> path -> (body bytes, content type, status, headers) and each row is
(url, region_code, name, kind, identifier)."""
import html
import random

PROVINCE = ("360000", "江西省", "www.jiangxi.gov.cn", "3600000001")
CITIES = [
    ("360700", "赣州市", "www.ganzhou.gov.cn", "3607000001"),
    ("360800", "吉安市", "www.jian.gov.cn", "3608000001"),
    ("360300", "萍乡市", "www.pingxiang.gov.cn", "3603000001"),  # moved to www.pxs.gov.cn
]
COUNTIES = {
    "360700": [("360733", "会昌县", "www.huichang.gov.cn", "3607330001"),
               ("360732", "兴国县", "www.xingguo.gov.cn", None),          # no identifier
               ("360781", "瑞金市", "www.ruijin.gov.cn", "3607330009")],  # conflict
    "360800": [("360821", "吉安县", "www.jianxian.gov.cn", "3608210001"),
               ("360822", "吉水县", "www.jishui.gov.cn", "3608220001")],
    "360300": [("360321", "莲花县", "www.zglh.gov.cn", "3603210001")],
}
MOVED = {"www.pingxiang.gov.cn": "www.pxs.gov.cn"}
DEPARTMENTS = {
    "360000": ("江西省教育厅", "jyt.jiangxi.gov.cn", "3600000011"),
    "360700": ("赣州市教育局", "jyj.ganzhou.gov.cn", "3607000011"),
}
# Listed on a page the province's robots.txt closes to govharvest.
CLOSED = ("封闭县人民政府", "www.fengbi.gov.cn", "3607990001")
CLOSED_PATH = "/zfwz/qxzf/"
NOISE = [("http://www.gov.cn/", "中国政府网"), ("http://www.baidu.com/", "百度"),
         ("http://www.people.com.cn/", "人民网"), ("http://www.hunan.gov.cn/", "湖南省人民政府")]

HTML = "text/html; charset=%s"


def page(rng, title, body, identifier, charset, site=None):
    """`site`: the site's name, for the SiteName meta; a page titled only
    首页 always carries it (real portals with such a title do)."""
    meta = ""
    footer_id = ""
    if site and (title == "首页" or rng.random() < 0.3):
        meta = f'<meta name="SiteName" content="{html.escape(site)}">'
    if identifier:
        # As the 政府网站发展指引 has it (a SiteIDCode meta, in either
        # attribute order), or only in the footer.
        r = rng.random()
        if r < 0.3:
            meta += f'<meta name="SiteIDCode" content="{identifier}">'
        elif r < 0.45:
            meta += f'<meta content="{identifier}" name="SiteIDCode" />'
        else:
            footer_id = f"网站标识码：{identifier}"
    text = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"{meta}<title>{html.escape(title)}</title></head><body>"
            f'<div class="top"><a href="/">首页</a> <a href="/zwgk/">政府信息公开</a> <a href="/news/">要闻动态</a></div>'
            f'<div class="main">{body}</div>'
            f'<div class="footer"><p>主办单位：{html.escape(title)}办公室</p>'
            f"<p>{footer_id} ICP备案号：赣ICP备05004000号</p></div></body></html>")
    return text.encode("gbk" if charset == "gbk" else "utf-8"), HTML % charset


def decorate(rng, name):
    forms = [name, f"{name}门户网站", f"首页 - {name}", f"{name} | 首页", "首页"]
    if name.endswith("人民政府"):
        forms.append(f"{name}网")
    return rng.choice(forms)


def nav(rng, heading, links):
    """Links to other sites in one of the shapes portals use."""
    shape = rng.choice(["select", "list", "list2"])
    if shape == "select":
        opts = "".join(f'<option value="{h}">{html.escape(t)}</option>' for h, t in links)
        return (f'<div class="zfwz"><select onchange="window.open(this.options[this.selectedIndex].value)">'
                f'<option value="">{heading}</option>{opts}</select></div>')
    items = "".join(f'<li><a href="{h}" target="_blank">{html.escape(t)}</a></li>' for h, t in links)
    if shape == "list":
        return f'<div class="yqlj"><h3>{heading}</h3><ul>{items}</ul></div>'
    return f'<div class="links"><span class="tit">{heading}</span><ul>{items}</ul></div>'


def portal_web(seed):
    rng = random.Random(seed)
    sites = {}
    rows = []

    def add(host, path, body_ct, status=200, headers=None):
        sites.setdefault(host, {})[path] = (body_ct[0], body_ct[1], status, headers or {})

    def link_text(name):
        return rng.choice([name, name + "人民政府", name + "政府网"])

    # The province: its cities by dropdown, list or a page of their own;
    # its bureau in a 部门网站 block; noise in 友情链接.
    pcode, pname, phost, pid = PROVINCE
    city_links = [(f"http://{h}/" + rng.choice(["", "index.html"]), link_text(n)) for _, n, h, _ in CITIES]
    dname, dhost, did = DEPARTMENTS[pcode]
    body = ""
    if rng.random() < 0.5:
        body += nav(rng, "市县政府网站", city_links)
    else:
        body += '<div class="nav2"><a href="/zfwz/sxzf.html">市县政府网站</a></div>'
        add(phost, "/zfwz/sxzf.html", page(rng, f"市县政府网站_{pname}人民政府", nav(rng, "设区市政府网站", city_links),
                                             None, "utf-8"))
    body += nav(rng, "部门网站", [(f"http://{dhost}/", dname)])
    body += nav(rng, "友情链接", NOISE)
    # A page robots.txt closes to govharvest, not to everyone: the portal
    # it lists must stay unknown and unread.
    body += f'<div class="nav3"><a href="{CLOSED_PATH}">{rng.choice(["县区政府网站", "市县政府网站"])}</a></div>'
    add(phost, CLOSED_PATH, page(rng, "县区政府网站", nav(rng, "县区政府网站", [(f"http://{CLOSED[1]}/", CLOSED[0])]),
                                 None, "utf-8"))
    add(CLOSED[1], "/", page(rng, CLOSED[0], "<p>县政府</p>", CLOSED[2], "utf-8", site=CLOSED[0]))
    agent = rng.choice(["govharvest", "GovHarvest", "govharvest/1.0"])
    groups = [f"User-agent: {agent}\nDisallow: {CLOSED_PATH}\n", "User-agent: *\nDisallow: /admin/\n"]
    rng.shuffle(groups)
    add(phost, "/robots.txt", ("\n".join(groups).encode(), "text/plain"))
    charset = rng.choice(["utf-8", "gbk"])
    add(phost, "/", page(rng, decorate(rng, pname + "人民政府"), body, pid, charset, site=pname + "人民政府"))
    rows.append((f"http://{phost}/", pcode, pname + "人民政府", "government", pid))
    add(dhost, "/", page(rng, decorate(rng, dname), "<p>教育厅工作动态</p>", did, "utf-8", site=dname))
    rows.append((f"http://{dhost}/", pcode, dname, "department", did))

    for ccode, cname, chost, cid in CITIES:
        home = MOVED.get(chost, chost)
        if home != chost:  # the old domain answers a permanent redirect
            add(chost, "/", (b"", "text/html"), 301, {"Location": f"http://{home}/"})
            add(chost, "/index.html", (b"", "text/html"), 301, {"Location": f"http://{home}/"})
        counties = COUNTIES[ccode]
        links = [(f"http://{h}/", link_text(n)) for _, n, h, _ in counties]
        links.append(("http://www.yudu.com.cn/", "于都县"))  # not a government host
        # Deep links to a county's site (a column, its index page) mean the site.
        links = [(h + rng.choice(["", "index.html", "col/col101/index.html"]), t) for h, t in links]
        body = nav(rng, rng.choice(["县（市、区）政府网站", "县区政府网站", "政府网站", "县市区", "区县"]), links)
        if ccode in DEPARTMENTS:
            name, host, ident = DEPARTMENTS[ccode]
            body += nav(rng, "部门网站", [(f"http://{host}/", name)])
            add(host, "/", page(rng, decorate(rng, name), "<p>教育局</p>", ident, "utf-8", site=name))
            rows.append((f"http://{host}/", ccode, name, "department", ident))
        body += nav(rng, "友情链接", [(f"http://{phost}/", pname + "人民政府")] + NOISE[:2])
        charset = rng.choice(["utf-8", "gbk"])
        for path in ("/", "/index.html"):
            add(home, path, page(rng, decorate(rng, cname + "人民政府"), body, cid, charset, site=cname + "人民政府"))
        rows.append((f"http://{home}/", ccode, cname + "人民政府", "government", cid))
        for kcode, kname, khost, kid in counties:
            back = nav(rng, "友情链接", [(f"http://{chost}/", cname + "人民政府"), (f"http://{phost}/", pname)])
            title = kname + "人民政府"
            add(khost, "/", page(rng, decorate(rng, title), "<p>县政府工作</p>" + back, kid, rng.choice(["utf-8", "gbk"]), site=title))
            if kid and kid[:6] != kcode:
                rows.append((f"http://{khost}/", "", title, "government", kid))  # the conflict
            else:
                rows.append((f"http://{khost}/", kcode, title, "government", kid or ""))
    rows.sort(key=lambda r: (r[1] or "~", r[3] != "government", r[0]))
    return sites, f"http://{phost}/", rows
