package probe

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"

	"github.com/zkpoc/zkpoc/hardware"
)

// probeProcessCPUs reads the cgroup files under fsys (a view of "/") and
// combines them with the affinity count and runtime.NumCPU.
func probeProcessCPUs(fsys fs.FS, affinity, numCPU int) hardware.ProcessCPUs {
	p := hardware.ProcessCPUs{Affinity: affinity, NumCPU: numCPU}
	p.CgroupQuota, p.CgroupSource = cgroupQuota(fsys)
	p.Usable = affinity
	if p.Usable <= 0 {
		p.Usable = numCPU
	}
	if p.CgroupQuota > 0 {
		p.Usable = min(p.Usable, int(math.Ceil(p.CgroupQuota)))
	}
	p.Usable = max(p.Usable, 1)
	return p
}

// ProcessCPUs describes what this process may use (see hardware.ProcessCPUs).
func ProcessCPUs() hardware.ProcessCPUs {
	return probeProcessCPUs(os.DirFS("/"), affinityCount(), runtime.NumCPU())
}

// cgroupMount is one mounted cgroup hierarchy, from /proc/self/mountinfo.
type cgroupMount struct {
	root, point string // the hierarchy path mounted, and where
	v2          bool
}

// cgroupQuota finds the process's cgroup for the CPU controller (v2, or v1
// "cpu") through proc/self/cgroup and proc/self/mountinfo, then walks from it
// up to the mount point and returns the smallest quota found, in CPUs, and
// the file it came from. 0 means no limit (or no cgroup files).
func cgroupQuota(fsys fs.FS) (float64, string) {
	mounts := cgroupMounts(fsys)
	best, source := 0.0, ""
	for _, c := range selfCgroups(fsys) {
		m, ok := mounts[c.key]
		rel, under := strings.CutPrefix(c.path, strings.TrimSuffix(m.root, "/"))
		if !ok || !under || rel != "" && rel[0] != '/' {
			continue // not below the mounted part of the hierarchy
		}
		for dir := path.Join(m.point, rel); ; dir = path.Dir(dir) {
			q, file := readQuota(fsys, dir, m.v2)
			if q > 0 && (best == 0 || q < best) {
				best, source = q, "/"+file
			}
			if dir == m.point || dir == "." || dir == "/" {
				break
			}
		}
	}
	return best, source
}

// readQuota reads the quota files of one cgroup directory (dir without a
// leading slash): cpu.max ("max 100000" or "200000 100000") for v2,
// cpu.cfs_quota_us (−1 for none) and cpu.cfs_period_us for v1.
func readQuota(fsys fs.FS, dir string, v2 bool) (float64, string) {
	read := func(name string) (string, string) {
		file := path.Join(dir, name)
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return "", file
		}
		return strings.TrimSpace(string(b)), file
	}
	var quota, period, file string
	if v2 {
		var s string
		s, file = read("cpu.max")
		quota, period, _ = strings.Cut(s, " ")
	} else {
		quota, file = read("cpu.cfs_quota_us")
		period, _ = read("cpu.cfs_period_us")
	}
	q, err1 := strconv.ParseInt(quota, 10, 64)
	p, err2 := strconv.ParseInt(period, 10, 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0, file // "max", −1, missing or malformed: no limit here
	}
	return float64(q) / float64(p), file
}

// selfCgroup is one line of /proc/self/cgroup for a hierarchy that can carry
// a CPU limit: key "v2" for the unified hierarchy, "v1" for the one with the
// "cpu" controller.
type selfCgroup struct{ key, path string }

func selfCgroups(fsys fs.FS) []selfCgroup {
	b, err := fs.ReadFile(fsys, "proc/self/cgroup")
	if err != nil {
		return nil
	}
	var out []selfCgroup
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 3) // hierarchy-ID:controllers:path
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			out = append(out, selfCgroup{"v2", f[2]})
		case hasController(f[1], "cpu"):
			out = append(out, selfCgroup{"v1", f[2]})
		}
	}
	return out
}

// cgroupMounts maps "v2" and "v1" (the hierarchy with the cpu controller) to
// their mounts, from proc/self/mountinfo lines
//
//	36 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
//	40 30 0:37 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw
//
// (root is field 4, the mount point field 5, the filesystem type and its
// options follow the "-"; mount points with escaped characters are not
// cgroup mounts in practice and are taken as written).
func cgroupMounts(fsys fs.FS) map[string]cgroupMount {
	out := map[string]cgroupMount{}
	b, err := fs.ReadFile(fsys, "proc/self/mountinfo")
	if err != nil {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 1 {
			continue
		}
		m := cgroupMount{root: f[3], point: strings.TrimPrefix(path.Clean(f[4]), "/")}
		if m.point == "" {
			m.point = "."
		}
		key := ""
		switch {
		case g[0] == "cgroup2":
			key, m.v2 = "v2", true
		case g[0] == "cgroup" && len(g) >= 3 && hasController(g[2], "cpu"):
			key = "v1"
		}
		if _, dup := out[key]; key != "" && !dup {
			out[key] = m
		}
	}
	return out
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}
