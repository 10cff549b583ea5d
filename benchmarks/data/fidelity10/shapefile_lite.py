"""Minimal .shp/.dbf reader (polygons) so no extra package is needed."""
import struct
from shapely.geometry import Polygon, MultiPolygon

def _dbf(path):
    b = open(path, "rb").read()
    n, hl, rl = struct.unpack("<IHH", b[4:12])
    fields = []; pos = 32
    while b[pos] != 0x0D:
        name = b[pos:pos+11].split(b"\0")[0].decode(); ln = b[pos+16]
        fields.append((name, ln)); pos += 32
    recs = []
    for i in range(n):
        off = hl + i * rl + 1; d = {}
        for name, ln in fields:
            d[name] = b[off:off+ln].decode("latin1").strip(); off += ln
        recs.append(d)
    return recs

def _ring_area(r):
    return sum(r[i][0]*r[i+1][1]-r[i+1][0]*r[i][1] for i in range(len(r)-1)) / 2

def read(base):
    recs = _dbf(base + ".dbf")
    b = open(base + ".shp", "rb").read(); pos = 100; out = []; i = 0
    while pos < len(b):
        _, clen = struct.unpack(">II", b[pos:pos+8]); body = b[pos+8:pos+8+clen*2]; pos += 8 + clen*2
        st = struct.unpack("<i", body[:4])[0]
        if st != 5: i += 1; continue
        nparts, npts = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack("<%di" % nparts, body[44:44+4*nparts])) + [npts]
        p0 = 44 + 4*nparts
        pts = [struct.unpack("<dd", body[p0+16*k:p0+16*k+16]) for k in range(npts)]
        rings = [pts[parts[k]:parts[k+1]] for k in range(nparts)]
        polys = []
        for rg in rings:
            if _ring_area(rg) < 0:  # clockwise = outer in shapefile
                polys.append([rg, []])
            elif polys:
                polys[-1][1].append(rg)
        geom = MultiPolygon([Polygon(a, h) for a, h in polys]) if len(polys) > 1 else Polygon(polys[0][0], polys[0][1])
        rec = recs[i]; i += 1
        out.append((rec.get("name") or rec.get("NAME"), geom.buffer(0)))
    return out
