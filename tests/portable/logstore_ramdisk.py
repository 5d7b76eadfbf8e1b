"""A RAM block device for LittleFS (MicroPython), with power-cut emulation.

At write number ``cut_at``, ``writeblocks`` writes only the first half of its
buffer, keeps a copy of the whole device in ``image`` (what flash holds when
the power fails there) and raises PowerCut: not an OSError, so nothing above
mistakes it for a full disk.  Mount ``image`` on a new device to see what a
reboot would find; the old device stays usable for the cleanup of the old mount.
"""

try:
    import vfs
except ImportError:  # CPython: no LittleFS
    vfs = None


class PowerCut(Exception):
    pass


class RAMBlockDev:
    def __init__(self, blocks, block_size=512, data=None):
        self.blocks = blocks
        self.block_size = block_size
        import gc

        gc.collect()  # scenarios make many disks: give this one a contiguous piece of the heap
        if data:
            self.data = bytearray(data)
        else:
            self.data = bytearray(blocks * block_size)
            for i in range(len(self.data)):  # erased flash reads 0xFF
                self.data[i] = 0xFF
        self.writes = 0
        self.cut_at = 0  # 0: never
        self.image = None
        self._erased = b"\xff" * block_size

    def readblocks(self, blk, buf, off=0):
        _copy(buf, 0, self.data, blk * self.block_size + off, len(buf))

    def writeblocks(self, blk, buf, off=None):
        a = blk * self.block_size + (off or 0)
        self.writes += 1
        if self.writes == self.cut_at:
            _copy(self.data, a, buf, 0, len(buf) // 2)
            self.image = bytes(self.data)
            raise PowerCut()
        _copy(self.data, a, buf, 0, len(buf))

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.blocks
        if op == 5:  # block size
            return self.block_size
        if op == 6:  # erase
            _copy(self.data, arg * self.block_size, self._erased, 0, self.block_size)
            return 0
        return None


def _copy(dst, d, src, s, n):
    try:
        dst[d:d + n] = src[s:s + n]
    except MemoryError:  # heap locked: a GC finaliser closing a file the cut left open
        for i in range(n):
            dst[d + i] = src[s + i]


_mounts = [0]


def mount(bd, fresh=True):
    """Mount ``bd`` (formatted first when ``fresh``) at a new mount point; that point."""
    if fresh:
        vfs.VfsLfs2.mkfs(bd)
    _mounts[0] += 1
    point = "/lfs%d" % _mounts[0]
    vfs.mount(vfs.VfsLfs2(bd), point)
    return point


def umount(point):
    try:
        vfs.umount(point)
    except OSError:
        pass
