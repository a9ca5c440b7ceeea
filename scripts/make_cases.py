#!/usr/bin/python3
"""Writes synthetic closed business cases in the `dangan ingest` format (CASE.json + files).

usage: make_cases.py --out DIR [--count N] [--seed S] [--year Y] [--file-bytes B]

Every person has a valid 公民身份号码 (GB 11643) and every unit a valid 统一社会信用代码
(GB 32100); names, amounts and texts are random. Used by the demo, the tests and the benchmarks.
"""
import argparse
import hashlib
import json
import os
import random

ITEMS = [
    ("0101", "单位参保登记表", "参保单位登记"),
    ("0102", "参保人员增员申报表", "参保人员登记"),
    ("0103", "个人账户对账单", "个人账户"),
    ("0105", "社会保障卡申领登记表", "社会保障卡"),
    ("0201", "社会保险费缴费申报核定表", "缴费申报"),
    ("0202", "养老保险补缴审批表", "补缴"),
    ("0301", "基本养老金待遇核定表", "养老金"),
    ("0304", "养老保险关系转移接续申请表", "转移接续"),
    ("0503", "失业保险金申领审核表", "失业保险金"),
    ("0602", "工伤认定决定书", "工伤认定"),
    ("0702", "生育津贴核定表", "生育津贴"),
    ("0901", "社会保险稽核通知书", "稽核"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志强文博海波宇航晓东春梅秋菊"
CITIES = [("110105", "北京市朝阳区"), ("310104", "上海市徐汇区"), ("440106", "广州市天河区"),
          ("350102", "福州市鼓楼区"), ("510107", "成都市武侯区"), ("420106", "武汉市武昌区")]
UNIT_WORDS = ["华信", "恒达", "金桥", "瑞丰", "长城", "新世纪", "东方", "宏远", "众诚", "天宇"]
UNIT_KINDS = ["科技有限公司", "建筑工程有限公司", "商贸有限公司", "物流有限公司", "医药有限公司"]
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_check(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(first17, weights))
    return "10X98765432"[s % 11]


def make_id(rng, region, year):
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    body = "%s%04d%02d%02d%03d" % (region, year, month, day, rng.randint(1, 999))
    return body + id_check(body)


def org_check(body8):
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body8, weights))
    c = 11 - s % 11
    return "0" if c == 11 else "X" if c == 10 else str(c)


def credit_check(first17):
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    s = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, weights))
    return CREDIT_ALPHABET[(31 - s % 31) % 31]


def make_credit_code(rng, region):
    body8 = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + region + body8 + org_check(body8)
    return first17 + credit_check(first17)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--file-bytes", type=int, default=0,
                    help="add a binary scan file of this size to each case")
    ap.add_argument("--source", default="sbxt")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for n in range(1, args.count + 1):
        code, title_kind, word = ITEMS[(n - 1) % len(ITEMS)]
        region, city = rng.choice(CITIES)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        unit = city[:3].rstrip("市") + rng.choice(UNIT_WORDS) + rng.choice(UNIT_KINDS)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        formed = "%04d-%02d-%02d" % (args.year, month, day)
        case_dir = os.path.join(args.out, "case-%05d" % n)
        os.makedirs(case_dir, exist_ok=True)
        amount = rng.randint(10000, 900000)
        text = ("%s\n姓名：%s  公民身份号码：%s\n单位名称：%s\n业务：%s，金额 %d.%02d 元。\n经办机构：%s社会保险事业管理中心"
                % (title_kind, name, "{id}", unit, word, amount // 100, amount % 100, city))
        person_id = make_id(rng, region, rng.randint(1955, 2003))
        credit = make_credit_code(rng, region)
        text = text.replace("{id}", person_id)
        files = []
        with open(os.path.join(case_dir, "申请表.txt"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        files.append({"name": "申请表.txt", "path": "申请表.txt",
                      "sha256": hashlib.sha256((text + "\n").encode()).hexdigest()})
        if args.file_bytes:
            # A TIFF header: filing checks a file's bytes against its format (DA/T 70).
            data = b"II*\x00" + rng.randbytes(max(0, args.file_bytes - 4))
            with open(os.path.join(case_dir, "扫描件.tif"), "wb") as f:
                f.write(data)
            files.append({"name": "扫描件.tif", "path": "扫描件.tif"})
        case = {
            "source": args.source,
            "case_id": "%s-%d-%06d" % (args.source.upper(), args.year, n + args.seed * 1000000),
            "item": code,
            "title": "%s %s %s" % (name, title_kind, formed),
            "formed_on": formed,
            "closed_at": formed + "T16:30:00+08:00",
            "agency": city + "社会保险事业管理中心",
            "handler": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "serial": "LS%04d%06d" % (args.year, n),
            "person": {"id_number": person_id, "name": name},
            "unit": {"credit_code": credit, "name": unit},
            "steps": [
                {"action": "受理", "at": formed + "T09:10:00+08:00", "by": "窗口"},
                {"action": "审核", "at": formed + "T14:00:00+08:00", "by": "审核岗"},
                {"action": "办结", "at": formed + "T16:30:00+08:00", "by": "经办岗"},
            ],
            "text": text,
            "files": files,
        }
        with open(os.path.join(case_dir, "case.json"), "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False, indent=2)
        print(os.path.join(case_dir, "case.json"))


if __name__ == "__main__":
    main()
