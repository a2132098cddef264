"""Copies a jar with every entry stored (not deflated), in the same order, with the same names,
contents and times: a registry gzips the image's layer, and gzip over the class files themselves
(many alike generated protobuf classes next to each other) is about a quarter smaller than over
entries each deflated on their own. The JVM reads stored entries without inflating them.
Usage: repack-jar.py IN OUT"""

import sys
import zipfile

source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(source) as jar, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
    for entry in jar.infolist():
        copy = zipfile.ZipInfo(entry.filename, date_time=entry.date_time)
        copy.external_attr = entry.external_attr
        copy.compress_type = zipfile.ZIP_STORED
        out.writestr(copy, jar.read(entry))
