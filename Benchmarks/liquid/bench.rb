# Renders the benchmark page with Shopify's Ruby engine (liquid 5.4): parse once, render many.
#
# Usage: ruby bench.rb TEMPLATES_DIR DATA_JSON PAGE SECONDS OUTPUT_FILE
# Prints one line: "ruby-liquid <version> <renders> <seconds> <mean renders/s> <best renders/s>"
# and writes one render
# to OUTPUT_FILE for the byte-for-byte comparison.
require 'json'
require 'liquid'

# Reads partials by name from one folder. Liquid::LocalFileSystem rejects names with a hyphen
# ('product-card'), so this is the smallest file system that accepts them.
class FolderFileSystem
  def initialize(folder)
    @folder = folder
  end

  def read_template_file(name)
    raise Liquid::FileSystemError, "bad template name #{name}" unless name =~ /\A[A-Za-z0-9_-]+\z/
    File.read(File.join(@folder, "#{name}.liquid"))
  end
end

folder, data_path, page, seconds, output_path = ARGV
abort 'usage: ruby bench.rb TEMPLATES_DIR DATA_JSON PAGE SECONDS OUTPUT_FILE' unless output_path
seconds = Float(seconds)

Liquid::Template.file_system = FolderFileSystem.new(folder)
template = Liquid::Template.parse(File.read(File.join(folder, "#{page}.liquid")))
data = JSON.parse(File.read(data_path))

File.write(output_path, template.render!(data))

# Warm up, then render for at least `seconds` in windows of at least half a second; the best
# window is the figure least disturbed by other work on the machine.
20.times { template.render!(data) }
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
renders = 0
best = 0.0
start = clock.call
while (elapsed = clock.call - start) < seconds
  window_start = clock.call
  window_renders = 0
  while (window = clock.call - window_start) < 0.5
    5.times { template.render!(data) }
    window_renders += 5
  end
  renders += window_renders
  best = [best, window_renders / window].max
end
puts format('ruby-liquid %s %d %.3f %.1f %.1f', Liquid::VERSION, renders, elapsed, renders / elapsed, best)
